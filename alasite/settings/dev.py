"""Local development: DEBUG on, a throwaway secret key when none is given."""

import os

from badges_cms.credly import standin

from .base import *  # noqa: F403
from .base import env_bool

DEBUG = env_bool("DEBUG", True)
# Only for a developer's own machine; production.py refuses to start without a real key.
SECRET_KEY = os.environ.get("SECRET_KEY") or "dev-only-not-secret-" + "x" * 40  # noqa: S105

# Serve static files straight from the apps' folders, without collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# No HTTP cache stands in front of the development server, and browsers should not keep pages
# either: what an editor publishes shows on the next reload, signed in or not.
BADGES_CMS_CACHE_MAX_AGE = 0

# Without a Credly account, the figures come from the project's stand-in for Credly, which
# `make run` starts (manage.py run_credly_standin) and syncs from: every page then says they
# are invented (BADGES_CMS_DEMO_FIGURES). Set CREDLY_API_TOKEN and CREDLY_ORGANIZATION_ID to
# use a real (or sandbox) Credly account instead.
if not os.environ.get("CREDLY_API_TOKEN"):
    _standin_port = int(os.environ.get("CREDLY_STANDIN_PORT", "8765"))
    CREDLY_API_BASE_URL = f"http://127.0.0.1:{_standin_port}/v1"
    CREDLY_API_TOKEN = standin.DEFAULT_TOKEN
    CREDLY_ORGANIZATION_ID = standin.DEFAULT_ORGANIZATION_ID
    CREDLY_IMAGE_HOSTS = [f"127.0.0.1:{_standin_port}"]
    BADGES_CMS_DEMO_FIGURES = True
