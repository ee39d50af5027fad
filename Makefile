# Two commands on a fresh machine: `make run` and `make test`. Both are idempotent; the install
# step runs again only when a requirements file changed.

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
TORCH_PIN := $(shell grep -E '^torch==' requirements.txt)
HOST ?= 127.0.0.1
PORT ?= 8000

export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: install run serve migrate demo test lint format worker worker-training beat bench bench-ml clean

$(INSTALLED): requirements.txt requirements-dev.txt requirements-nodeps.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	# torch first, the CPU build pinned, so that nothing later pulls a CUDA one.
	$(BIN)/python -m pip install --quiet "$(TORCH_PIN)"
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	$(BIN)/python -m pip install --quiet --no-deps -r requirements-nodeps.txt
	touch $@

install: $(INSTALLED)

migrate: install
	mkdir -p var
	$(BIN)/python manage.py migrate --noinput

# Reference data and, on an empty database, the demo store. The sample exchange rates are
# stamped as published now so that checkout accepts them on any later day; real deployments
# load published rates on a schedule.
demo: migrate
	$(BIN)/python manage.py seed_markets
	$(BIN)/python manage.py seed_demo --size small --seed 0 --if-empty
	$(BIN)/python manage.py load_exchange_rates storefront/fixtures/exchange_rates.csv --stamp-now
	# The quick models, trained here on the demo store the first time (2 to 3 minutes), then
	# product embeddings, co-occurrence, the recommendations index and for-you lists, and the
	# demand forecasts merchants see in the admin.
	$(BIN)/python manage.py retrain all --sync --if-missing
	$(BIN)/python manage.py recommendations_refresh
	$(BIN)/python manage.py forecast_run --sync

run: demo serve

serve: install
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Needs a broker: REDIS_URL=redis://127.0.0.1:6379/0 make worker
worker: install
	$(BIN)/celery -A storefront worker -Q default,inference -l INFO

worker-training: install
	$(BIN)/celery -A storefront worker -Q training --concurrency=1 -l INFO

beat: install
	$(BIN)/celery -A storefront beat -l INFO

# gunicorn on PostgreSQL + Redis under locust; writes bench/results/latest.json and
# docs/performance.md. BENCH_DATABASE_URL and BENCH_REDIS_URL override the local defaults.
bench: install bench-ml
	$(BIN)/python bench/run.py

# In-process latency of the shared encoders and the model loader; writes
# bench/results/ml_platform.json and the table in docs/ml-platform.md.
bench-ml: install
	$(BIN)/python bench/ml_platform.py

clean:
	rm -rf var staticfiles .pytest_cache .ruff_cache
