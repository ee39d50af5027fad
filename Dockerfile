# One image for web, workers and beat. For GPU training nodes build with
#   docker compose build --build-arg TENSORFLOW_EXTRA=and-cuda worker-gpu
FROM python:3.11-slim-bookworm

ARG TENSORFLOW_EXTRA=""
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    DJANGO_SETTINGS_MODULE=storefront.settings.production

RUN apt-get update \
    && apt-get install -y --no-install-recommends libpq5 curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 1000 storefront

WORKDIR /app
COPY requirements.txt requirements-nodeps.txt ./
# The CPU build of torch first; transformers must never pull torchvision or a CUDA torch.
RUN pip install "$(grep -E '^torch==' requirements.txt)" --index-url https://download.pytorch.org/whl/cpu \
    && pip install -r requirements.txt \
    && pip install --no-deps -r requirements-nodeps.txt \
    && if [ -n "$TENSORFLOW_EXTRA" ]; then \
         pip install "tensorflow[$TENSORFLOW_EXTRA]==$(grep -E '^tensorflow==' requirements.txt | cut -d= -f3)"; \
       fi

COPY . .
RUN SECRET_KEY=collectstatic-only ALLOWED_HOSTS=localhost python manage.py collectstatic --noinput \
    && mkdir -p /app/var && chown -R storefront /app/var

USER storefront
EXPOSE 8000
CMD ["gunicorn", "storefront.wsgi", "--bind", "0.0.0.0:8000", "--workers", "4", "--access-logfile", "-"]
