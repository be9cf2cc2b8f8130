"""Settings for the test suite: the database and cache still come from DATABASE_URL and REDIS_URL,
so the same suite runs on SQLite and on PostgreSQL + Redis."""

import os
import tempfile

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-only-not-secret-" + "y" * 40  # noqa: S105
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = tempfile.mkdtemp(prefix="alasite-test-media-")
WAGTAILADMIN_BASE_URL = "http://testserver"
LOGGING = {"version": 1, "disable_existing_loggers": False}

# Serve static files straight from the apps' folders, without collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# Saving a page does not update the search index: indexing is about a third of what a page's
# save costs, and most tests never search. Tests that search are marked search_index
# (tests/conftest.py), which turns it back on for them.
WAGTAILSEARCH_BACKENDS = {
    name: {**backend, "AUTO_UPDATE": False}
    for name, backend in WAGTAILSEARCH_BACKENDS.items()  # noqa: F405
}

# Tasks run inline in tests; tests of queued work switch to the database backend themselves.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
CREDLY_API_TOKEN = ""
CREDLY_ORGANIZATION_ID = ""
CREDLY_API_BASE_URL = "http://127.0.0.1:9/v1"  # nothing listens there: tests set their own
# A sync meeting a held lock waits this long (seconds) before it fails; tests need no minutes.
BADGES_CMS_SYNC_LOCK_WAIT = 1

# With REDIS_URL, parallel test processes (pytest-xdist workers, gw0, gw1, ...) share its Redis
# database: each keeps its keys under a prefix of its own, and a cache.clear() in a test deletes
# only those (tests/redis_client.py), never the whole database the other workers use.
if "django_redis" in CACHES["default"]["BACKEND"]:  # noqa: F405
    _redis = CACHES["default"]  # noqa: F405
    if os.environ.get("PYTEST_XDIST_WORKER"):
        _redis["KEY_PREFIX"] += "-" + os.environ["PYTEST_XDIST_WORKER"]
    _redis["OPTIONS"]["CLIENT_CLASS"] = "tests.redis_client.PrefixClearingClient"
