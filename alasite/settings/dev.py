"""Local development: DEBUG on, a throwaway secret key when none is given."""

import os

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
