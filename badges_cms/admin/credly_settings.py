"""Credly settings, read-only: what this environment configures, for the people who run the sync.

Credly settings come only from the environment, so there is nothing to edit here. The token is
never shown, in whole or in part, nor its length: only whether one is set.
"""

import uuid
from urllib.parse import urlsplit

from django.core.exceptions import PermissionDenied
from django.urls import path
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet

from .. import conf
from ..conf import credly_config, credly_image_hosts
from ..credly.alerts import sync_health, token_expiry
from ..credly.client import DEFAULT_BASE_URL, CredlyConfigError
from .permissions import can_run_sync, can_view_sync_log


def api_host_display(base_url):
    """Scheme, host and path of the API base URL, or None when it is not one. Never the raw
    value: a malformed setting might hold something secret (CredlyConfig does the same)."""
    parts = urlsplit(str(base_url or DEFAULT_BASE_URL))
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.username:
        return None
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{parts.hostname}{port}{parts.path}"


def organization_display(value):
    try:
        return str(uuid.UUID(str(value))) if value else None
    except ValueError:
        return None


class CredlySettingsView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "badges_cms/admin/credly_settings.html"
    page_title = _("Credly settings")
    header_icon = "cog"

    def dispatch(self, request, *args, **kwargs):
        if not can_view_sync_log(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        base_url = conf.get("CREDLY_API_BASE_URL") or DEFAULT_BASE_URL
        organization = conf.get("CREDLY_ORGANIZATION_ID")
        try:
            credly_config()
            config_problem = None
        except CredlyConfigError as exc:
            config_problem = str(exc)
        try:
            expires = token_expiry()
            expiry_problem = None
        except ValueError as exc:
            expires, expiry_problem = None, str(exc)
        host = api_host_display(base_url)
        context.update(
            api_host=host,
            is_sandbox=bool(host) and "sandbox" in (urlsplit(base_url).hostname or ""),
            organization_set=bool(organization),
            organization=organization_display(organization),
            token_set=not conf.is_unset(conf.get("CREDLY_API_TOKEN")),
            token_expires=expires,
            token_days_left=(
                (expires - timezone.localdate()).days if expires is not None else None
            ),
            expiry_problem=expiry_problem,
            config_problem=config_problem,
            image_hosts=credly_image_hosts(),
            health=sync_health(),
            can_run_sync=can_run_sync(self.request.user),
            next_url=self.request.get_full_path(),
        )
        return context


class CredlySettingsViewSet(ViewSet):
    name = "badges_cms_credly_settings"
    url_prefix = "credly/settings"
    icon = "cog"
    menu_label = _("Credly settings")

    @cached_property
    def menu_item_class(self):
        class CredlySettingsMenuItem(MenuItem):
            def is_shown(self, request):
                return can_view_sync_log(request.user)

        return CredlySettingsMenuItem

    def get_urlpatterns(self):
        return [path("", CredlySettingsView.as_view(), name="index")]
