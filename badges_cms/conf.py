"""The plugin's settings, each with a default; a site overrides them in its Django settings."""

from django.conf import settings

DEFAULTS = {
    # Badges listed per page on a BadgeIndexPage.
    "BADGES_CMS_PER_PAGE": 24,
    # Longest search query taken from ?q=; longer input is cut, not refused.
    "BADGES_CMS_MAX_QUERY_LENGTH": 200,
    # How a Credly badge block renders: "script" (Credly's own <div> and embed.js, which swaps
    # in the iframe) or "iframe" (the same iframe written directly; no third-party script).
    "BADGES_CMS_CREDLY_EMBED_MODE": "script",
    # Link previews: the badge is centred on a 1200x630 canvas of this colour (hex RGB).
    "BADGES_CMS_SHARE_IMAGE_BACKGROUND": "f4f1ea",
    # Link preview image for pages without a badge image: None, or a dict with the static
    # "path" of a 1200x630 image, its "width", "height" and "alt" text.
    "BADGES_CMS_DEFAULT_SHARE_IMAGE": None,
    # Entries in an index's Atom feed of newly published badges.
    "BADGES_CMS_FEED_LENGTH": 20,
    # Open Badges issuer profiles require an email: used when neither the issuer nor any
    # parent organisation has a contact address.
    "BADGES_CMS_ISSUER_FALLBACK_EMAIL": "",
    # Sync health (dashboard, alerts): a full sync is "stale" when the last success is older.
    "BADGES_CMS_SYNC_STALE_AFTER_HOURS": 36,
    # Members of this group get the sync-failure, staleness and token-expiry emails.
    "BADGES_CMS_ALERT_GROUP": "Badge managers",
    # Seconds the nightly sync waits for another sync to finish before it fails (exit 1).
    "BADGES_CMS_SYNC_LOCK_WAIT": 300,
    # Webhook events that each refresh their template within one minute; the rest fold into
    # one full refresh, queued BADGES_CMS_WEBHOOK_REFRESH_DELAY seconds after the first of them.
    "BADGES_CMS_WEBHOOK_REFRESHES_PER_MINUTE": 30,
    "BADGES_CMS_WEBHOOK_REFRESH_DELAY": 60,
    # Days before CREDLY_TOKEN_EXPIRES on which a reminder goes out, once each.
    "BADGES_CMS_TOKEN_REMINDER_DAYS": (14, 3),
    # Cache-Control of public responses (http_cache/headers.py): seconds a browser may keep a
    # page without asking again (it is never purged, so this stays short) ...
    "BADGES_CMS_CACHE_MAX_AGE": 60,
    # ... and seconds a shared cache (Varnish, a CDN) may keep it: long, because every change is
    # purged from it through wagtail.contrib.frontend_cache.
    "BADGES_CMS_CACHE_S_MAXAGE": 86400,
}


def get(name):
    return getattr(settings, name, DEFAULTS[name])


def credly_config(**overrides):
    """The Credly client's configuration from Django settings (themselves read from the
    environment). Raises CredlyConfigError, naming the setting, when one is missing or bad."""
    from .credly.client import DEFAULT_BASE_URL, CredlyConfig, CredlyConfigError

    token = getattr(settings, "CREDLY_API_TOKEN", "")
    organization = getattr(settings, "CREDLY_ORGANIZATION_ID", "")
    if not token:
        raise CredlyConfigError("CREDLY_API_TOKEN is not set.")
    if not organization:
        raise CredlyConfigError("CREDLY_ORGANIZATION_ID is not set.")
    base_url = getattr(settings, "CREDLY_API_BASE_URL", "") or DEFAULT_BASE_URL
    # Timeouts, retries and the deadline can be tuned (tests shorten them); see CredlyConfig.
    options = {**getattr(settings, "CREDLY_CLIENT_OPTIONS", {}), **overrides}
    return CredlyConfig(token, organization, base_url=base_url, **options)


def credly_image_hosts():
    return [host.lower() for host in getattr(settings, "CREDLY_IMAGE_HOSTS", ["images.credly.com"])]
