"""Invalidating cached copies of badge pages after their content or figures change."""

import logging
import time

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger("badges_cms")

# Any whole-page cache keys its entries with this version, so bumping it drops them all.
CONTENT_VERSION_KEY = "badges_cms:content-version"


def _fresh_version():
    # Started from the clock, not 1: if the cache loses the key, the new version is still
    # above every version pages were stored under, so no old copy is served again.
    return time.time_ns() // 1000


def content_version():
    return cache.get_or_set(CONTENT_VERSION_KEY, _fresh_version, timeout=None)


def bump_content_version():
    try:
        return cache.incr(CONTENT_VERSION_KEY)
    except ValueError:  # not set yet, or evicted
        version = _fresh_version()
        cache.set(CONTENT_VERSION_KEY, version, timeout=None)
        return version


def purge_badge_pages(pages):
    """Drop cached copies of these badge pages and of the indexes that list them."""
    bump_content_version()
    if not pages or not getattr(settings, "WAGTAILFRONTENDCACHE", None):
        return
    from wagtail.contrib.frontend_cache.utils import PurgeBatch

    batch = PurgeBatch()
    batch.add_pages(pages)
    batch.add_pages({page.get_parent() for page in pages})
    batch.purge()
    logger.info("Purged %d badge pages and their indexes from the front-end cache", len(pages))
