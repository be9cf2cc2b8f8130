"""Settings shared by every environment; whatever differs between deployments comes from the
environment."""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from alasite.errors import parse_admins

PROJECT_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = PROJECT_DIR.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_prepare_threshold(name, default=5):
    """psycopg's prepare_threshold: how many runs of a query on a connection before it is
    prepared; 0 prepares at once, "none" never (see DATABASES below)."""
    value = os.environ.get(name, "").strip().lower()
    if value == "":
        return default
    if value == "none":
        return None
    if value.isdigit():
        return int(value)
    raise ImproperlyConfigured(f"{name} must be a whole number or none, not {value!r}")


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "home",
    "badges_cms",
    "badges_cms.feedback",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.sitemaps",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail.api.v2",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "rest_framework",
    "csp",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # ETags and 304s for what the next one leaves storable (no ETag on no-store).
    "django.middleware.http.ConditionalGetMiddleware",
    # Cache-Control for Varnish, CDNs and browsers (badges_cms/http_cache/headers.py): after
    # WhiteNoise, whose static files keep their own headers; before the session, CSRF and auth
    # middleware, so that it sees every cookie they set.
    "badges_cms.http_cache.headers.CacheControlMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "alasite.csp.PublicPagesCSPMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "alasite.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "alasite.context_processors.site_nav",
            ],
        },
    },
]

WSGI_APPLICATION = "alasite.wsgi.application"

# DATABASE_URL picks the database; SQLite in the project folder when it is unset.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
# SQLite (development): a transaction takes the write lock as it begins, so two requests that
# read and then write wait for each other (up to the timeout, in seconds) instead of failing at
# once with "database is locked", as they do in SQLite's default deferred mode under the
# threaded development server.
SQLITE_OPTIONS = {"transaction_mode": "IMMEDIATE", "timeout": 20}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(SQLITE_OPTIONS)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Wagtail's database search backend uses PostgreSQL full-text search when it can.
    INSTALLED_APPS.append("django.contrib.postgres")
    # The page queries (visibility, figures through aliases, filters) take PostgreSQL about as
    # long to plan as to run. With parameters bound on the server, psycopg prepares a query once
    # it has run DATABASE_PREPARE_THRESHOLD times on a connection, and PostgreSQL plans it no
    # more. "none" turns preparing off: needed behind a pooler in transaction mode (PgBouncer
    # without max_prepared_statements), where a connection is not one client's own.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        server_side_binding=True,
        prepare_threshold=env_prepare_threshold("DATABASE_PREPARE_THRESHOLD"),
    )

# REDIS_URL, when set, makes Redis the shared cache; otherwise each process keeps its own.
# The site must survive losing Redis: django-redis turns a failed call into a miss
# (IGNORE_EXCEPTIONS), and the pool (alasite/cache_pool.py) stops trying for a few seconds
# after a failure and logs the outage once a minute, so a request waits for at most one
# connect timeout in all.
REDIS_URL = os.environ.get("REDIS_URL", "")


def redis_cache(url):
    return {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": url,
        "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "alasite"),
        "TIMEOUT": 600,
        "OPTIONS": {
            "CONNECTION_POOL_CLASS": "alasite.cache_pool.ResilientConnectionPool",
            "SOCKET_CONNECT_TIMEOUT": float(os.environ.get("REDIS_CONNECT_TIMEOUT", "0.25")),
            "SOCKET_TIMEOUT": float(os.environ.get("REDIS_TIMEOUT", "0.5")),
            "IGNORE_EXCEPTIONS": True,
        },
    }


if REDIS_URL:
    CACHES = {"default": redis_cache(REDIS_URL)}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "alasite",
        }
    }

# Anonymous pages are cached in front of the site (Varnish, or a CDN), never by the site itself:
# every change is purged there after it commits (badges_cms/http_cache/purge.py).
# FRONTEND_CACHE_URL is where purges go (the Varnish that `make stack` runs, say
# http://127.0.0.1:8080); unset, as in development, nothing is purged because nothing caches.
FRONTEND_CACHE_URL = os.environ.get("FRONTEND_CACHE_URL", "")
if FRONTEND_CACHE_URL:
    WAGTAILFRONTENDCACHE = {
        "varnish": {
            "BACKEND": "badges_cms.http_cache.purge.VarnishBackend",
            "LOCATION": FRONTEND_CACHE_URL,
        }
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("TIME_ZONE", "America/Chicago")
USE_I18N = True
USE_TZ = True

STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
STATICFILES_DIRS = [BASE_DIR / "static_src"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "static"))
STATIC_URL = "/static/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "/media/"

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# The Wagtail page editor can post many fields for a page with a long StreamField.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

WAGTAIL_SITE_NAME = "ALA Digital Badges"
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000")
WAGTAILSEARCH_BACKENDS = {
    "default": {"BACKEND": "wagtail.search.backends.database"},
}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "pptx", "rtf", "txt", "xlsx", "zip"]
WAGTAILIMAGES_EXTENSIONS = ["gif", "jpg", "jpeg", "png", "webp", "svg"]
WAGTAILIMAGES_IMAGE_MODEL = "wagtailimages.Image"
WAGTAIL_I18N_ENABLED = False
WAGTAILAPI_BASE_URL = WAGTAILADMIN_BASE_URL

# Link previews of pages without a badge image (home, index) use this card (static_src/img).
BADGES_CMS_DEFAULT_SHARE_IMAGE = {
    "path": "img/share-card.png",
    "width": 1200,
    "height": 630,
    "alt": "ALA Digital Badges: badges for professional learning from ALA divisions, offices "
    "and leadership programmes",
}

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "badges@localhost")

# Logs go to stderr (gunicorn's log, the journal under systemd). An unhandled exception is
# logged there with its traceback and the request's method and path, and mailed to ADMINS
# where set; neither carries what the visitor sent (alasite/errors.py).
ADMINS = parse_admins(os.environ.get("ADMINS", ""))
SERVER_EMAIL = os.environ.get("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
DEFAULT_EXCEPTION_REPORTER_FILTER = "alasite.errors.PrivateExceptionReporterFilter"
LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_line": {"()": "alasite.errors.RequestLineFilter"},
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
        # What a command prints itself (sync_credly_badges' summary) is logged for log systems
        # but not written to the console a second time.
        "skip_printed": {"()": "badges_cms.log_filters.SkipPrinted"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s%(request_line)s"}
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",  # stderr
            "formatter": "plain",
            "filters": ["request_line", "skip_printed"],
        },
        "mail_admins": {
            "level": "ERROR",
            "class": "django.utils.log.AdminEmailHandler",
            "filters": ["require_debug_false"],
            "include_html": False,
        },
    },
    "loggers": {
        "badges_cms": {"handlers": ["console"], "level": LOG_LEVEL},
        "alasite": {"handlers": ["console"], "level": LOG_LEVEL},
        # Django's own: unhandled exceptions (django.request) and the like; in production its
        # default configuration would print nothing with DEBUG off.
        "django": {"handlers": ["console", "mail_admins"], "level": "WARNING", "propagate": False},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

# Background work (Credly webhooks, "Sync now", Wagtail's own index updates) is queued in the
# database and run by `manage.py db_worker`.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Credly: configured only from the environment; the token is never stored anywhere else.
CREDLY_API_TOKEN = os.environ.get("CREDLY_API_TOKEN", "")
CREDLY_ORGANIZATION_ID = os.environ.get("CREDLY_ORGANIZATION_ID", "")
CREDLY_API_BASE_URL = os.environ.get("CREDLY_API_BASE_URL", "https://api.credly.com/v1")
CREDLY_IMAGE_HOSTS = env_list("CREDLY_IMAGE_HOSTS", "images.credly.com")
CREDLY_TOKEN_EXPIRES = os.environ.get("CREDLY_TOKEN_EXPIRES", "")

# Recipient feedback (badges_cms.feedback). The rate limit believes X-Forwarded-For only from
# these proxies (addresses or networks, comma-separated); answers are deleted after
# BADGES_FEEDBACK_RETENTION_DAYS by `manage.py prune_badge_feedback`.
BADGES_FEEDBACK_TRUSTED_PROXIES = env_list("BADGES_FEEDBACK_TRUSTED_PROXIES")
BADGES_FEEDBACK_RETENTION_DAYS = int(os.environ.get("BADGES_FEEDBACK_RETENTION_DAYS", "365"))

# Content Security Policy for public pages (django-csp). Scripts come only from this site and
# from the host of Credly's embed.js, frames only from Credly (badges_cms.credly.embed names both
# hosts), and nothing inline at all, no <script> body nor style="", so a whole response can be
# cached with no per-response nonce. The Wagtail admin and Django's admin are left out, and so
# are Wagtail's page previews (alasite/csp.py): their editors rely on inline scripts and styles.
# CSP_REPORT_ONLY=true sends the same policy as Content-Security-Policy-Report-Only, to try a
# change out without breaking pages; CSP_REPORT_URI, if set, is where browsers report violations.
PUBLIC_CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/admin/", "/django-admin/"],
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", "https://cdn.credly.com"],
        "script-src-attr": ["'none'"],
        "style-src": ["'self'"],
        "style-src-attr": ["'none'"],
        "img-src": ["'self'"],
        "frame-src": ["https://www.credly.com"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
if os.environ.get("CSP_REPORT_URI"):
    PUBLIC_CONTENT_SECURITY_POLICY["DIRECTIVES"]["report-uri"] = os.environ["CSP_REPORT_URI"]
if env_bool("CSP_REPORT_ONLY", False):
    CONTENT_SECURITY_POLICY_REPORT_ONLY = PUBLIC_CONTENT_SECURITY_POLICY
else:
    CONTENT_SECURITY_POLICY = PUBLIC_CONTENT_SECURITY_POLICY
