"""The site's Content Security Policy middleware: django-csp's, for public pages only."""

from csp.middleware import CSPMiddleware


class PublicPagesCSPMiddleware(CSPMiddleware):
    """django-csp's middleware, leaving Wagtail's page previews alone.

    The admins' own URLs are left out by the policy's EXCLUDE_URL_PREFIXES. A preview is
    answered from an admin URL too, but Wagtail renders it by passing a made-up request for
    the page's public URL through the middleware a second time, and that inner request would
    get the public policy. The preview is shown framed in the editor's preview panel, which
    the public frame-ancestors 'none' forbids, so it is left for the admin to govern.
    """

    def process_response(self, request, response):
        if getattr(request, "is_preview", False):
            return response
        return super().process_response(request, response)
