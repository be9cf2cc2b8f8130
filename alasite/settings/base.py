"""Settings shared by every environment; whatever differs between deployments comes from the
environment."""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

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
    # Whole pages for anonymous visitors (BADGES_CMS_PAGE_CACHE below). First, so that a stored
    # page holds every header the others add, and a hit skips them all.
    "badges_cms.page_cache.PageCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
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
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Wagtail's database search backend uses PostgreSQL full-text search when it can.
    INSTALLED_APPS.append("django.contrib.postgres")

# REDIS_URL, when set, makes Redis the shared cache; otherwise each process keeps its own.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "alasite"),
            "TIMEOUT": 600,
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "alasite",
        }
    }

# Whole pages for anonymous visitors, through the cache above (badges_cms/page_cache.py). On
# by default only with Redis: with a cache per process, a publish in one process (or the task
# worker's sync) would leave the other processes' copies in place. PAGE_CACHE=true|false
# overrides.
BADGES_CMS_PAGE_CACHE = env_bool("PAGE_CACHE", bool(REDIS_URL))
BADGES_CMS_PAGE_CACHE_TIMEOUT = int(os.environ.get("PAGE_CACHE_TIMEOUT", "600"))
# Rendered fragments (cards, filter choices, facts, head) for whatever the page cache does not
# answer: editors, visitors with a session, a page's first request after a publish
# (badges_cms/fragment_cache.py). Same rule as the page cache: on by default only with Redis.
BADGES_CMS_FRAGMENT_CACHE = env_bool("FRAGMENT_CACHE", bool(REDIS_URL))
BADGES_CMS_FRAGMENT_CACHE_TIMEOUT = int(os.environ.get("FRAGMENT_CACHE_TIMEOUT", "600"))

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

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "loggers": {
        "badges_cms": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
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
# from the host of Credly's embed.js, frames only from Credly (badges_cms.embed_code names both
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
