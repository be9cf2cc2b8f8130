"""Routes below badge pages and badge indexes, mixed into the page models.

- A BadgeIndexPage serves ``feed/`` (Atom), ``issuers/`` (every issuer, with its count of
  badges) and ``issuers/<slug>/`` (an issuer's page, with or without badges yet), ``pathways/``
  and ``pathways/<slug>/`` (published pathways and their badges in order, catalogue/pathways.py)
  and ``verify/``, which answers whether a Credly badge is ours and current (catalogue/verify.py).
- A BadgePage answers a request that prefers JSON-LD with its Open Badges 2.0 BadgeClass, puts
  the share links and the LinkedIn helper in its context, and serves ``share/mastodon/``, which
  takes a visitor on to the share form of the Mastodon instance they named.

They are Wagtail routes (RoutablePageMixin), so Wagtail's own serving applies first: a page
that is not live or that a view restriction hides never reaches them.
"""

from django.http import Http404
from django.template.response import TemplateResponse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _
from wagtail.contrib.routable_page.models import RoutablePageMixin, path

from .. import links
from ..opendata.documents import badge_page_as_json_ld, wants_json_ld
from ..opendata.feeds import BadgeFeed
from ..sharing import share_links
from ..sharing.linkedin import form_for_request
from ..sharing.meta import issuer_directory_meta_overrides, issuer_meta_overrides
from . import pathways
from .issuer_directory import IssuerDirectory
from .verify import verify_page

MASTODON_ROUTE = "share/mastodon/"


class ChildBadgeRouting:
    """Routes a request for a badge page below an index in one query, where Wagtail's
    ``Page.route`` takes two (the child, then its specific row) and the page's own reads take
    more (issuer, image, figures): see BadgeIndexPage.route_to_child. Anything else below the
    index (which only an import could put there) is routed by Wagtail as usual. It runs after
    RoutablePageMixin's own routes (feed/, issuers/), as Wagtail's routing of children does."""

    def route(self, request, path_components):
        if path_components:
            badge = self.route_to_child(path_components[0])
            if badge is not None:
                return badge.route(request, path_components[1:])
        return super().route(request, path_components)


class BadgeIndexRoutes(RoutablePageMixin, ChildBadgeRouting):
    @path(links.FEED_ROUTE, name="feed")
    def feed(self, request):
        return BadgeFeed()(request, index_page=self)

    @path(links.ISSUERS_ROUTE, name="issuers")
    def issuers(self, request):
        directory = IssuerDirectory(self)
        context = {
            "page": self,
            "self": self,
            "request": request,
            "issuer_entries": directory.entries(),
            "meta_overrides": issuer_directory_meta_overrides(self, request),
        }
        return TemplateResponse(request, "badges_cms/issuer_directory.html", context)

    @path(links.ISSUERS_ROUTE + "<slug:slug>/", name="issuer")
    def issuer(self, request, slug):
        directory = IssuerDirectory(self)
        issuer = directory.get(slug)
        if issuer is None:
            raise Http404("No such issuer")
        issued_badges, partner_badges = directory.badges_of(issuer)
        context = {
            "page": self,
            "self": self,
            "request": request,
            "issuer": issuer,
            "parent_issuer": directory.parent_of(issuer),
            "child_issuers": directory.children_of(issuer),
            "issued_badges": issued_badges,
            "partner_badges": partner_badges,
            "directory_url": links.issuer_directory_url(self, request),
            "profile_url": links.issuer_json_url(self, issuer, request),
            "meta_overrides": issuer_meta_overrides(self, issuer, request),
        }
        return TemplateResponse(request, "badges_cms/issuer_page.html", context)

    @path(links.PATHWAYS_ROUTE, name="pathways")
    def pathways(self, request):
        return pathways.pathway_directory(request, self)

    @path(links.PATHWAYS_ROUTE + "<slug:slug>/", name="pathway")
    def pathway(self, request, slug):
        return pathways.pathway_page(request, self, slug)

    @path(links.VERIFY_ROUTE, name="verify")
    def verify(self, request):
        return verify_page(request, self, self.visible_badges())

    def get_route_paths(self):
        # The redirects app records these paths too when the index is renamed or moved, so
        # feed readers follow the feed, and bookmarks (the issuers, a linked verify answer), to
        # their new address.
        routes = (links.FEED_ROUTE, links.ISSUERS_ROUTE, links.PATHWAYS_ROUTE, links.VERIFY_ROUTE)
        return ["/", *("/" + route for route in routes)]

    def get_cached_paths(self):
        # What the HTTP cache in front holds of an index besides itself (http_cache/purge.py).
        return ["/", links.FEED_ROUTE]

    def get_sitemap_urls(self, request=None):
        urls = super().get_sitemap_urls(request)
        location = urls[0].get("location") if urls else None
        if location:
            base = location.rstrip("/") + "/"
            urls.append({"location": f"{base}{links.ISSUERS_ROUTE}"})
            urls += [
                {"location": f"{base}{links.ISSUERS_ROUTE}{issuer.slug}/"}
                for issuer in IssuerDirectory(self).all()
            ]
            slugs = pathways.published_slugs(self)
            if slugs:
                urls.append({"location": f"{base}{links.PATHWAYS_ROUTE}"})
                urls += [{"location": f"{base}{links.PATHWAYS_ROUTE}{slug}/"} for slug in slugs]
        return urls


class BadgePageRoutes(RoutablePageMixin):
    def get_cached_paths(self):
        # The page and its Open Badges documents, purged together (badges_cms/http_cache/purge.py).
        return ["/", "badgeclass.json", "achievement.json"]

    @path("")
    def index_route(self, request, *args, **kwargs):
        if self.live and not getattr(request, "is_preview", False) and wants_json_ld(request):
            return badge_page_as_json_ld(self, request)
        response = super().index_route(request, *args, **kwargs)
        # The same address answers HTML or JSON-LD: caches must key on Accept.
        patch_vary_headers(response, ["Accept"])
        return response

    @path(MASTODON_ROUTE, name="share_mastodon")
    def share_on_mastodon(self, request):
        """Sends the visitor on to their Mastodon server's share form. Not with a redirect:
        the site's Content Security Policy (form-action 'self') forbids a form's answer to
        redirect to another site, so the page that answers moves on itself."""
        context = self.get_context(request)
        instance = share_links.mastodon_instance(request.GET.get("instance", ""))
        if instance:
            context["mastodon_instance"] = instance
            context["mastodon_share_url"] = share_links.mastodon_share_url(
                instance, self.title, links.page_url(self, request)
            )
            response = TemplateResponse(request, "badges_cms/mastodon_continue.html", context)
            # The visitor's choice of server is nobody else's business.
            patch_cache_control(response, private=True, no_store=True)
            response["Referrer-Policy"] = "no-referrer"
            return response
        context["mastodon_error"] = _(
            "Enter just the name of your Mastodon server, such as mastodon.social: without a "
            "user name, port, path or IP address."
        )
        context["mastodon_instance"] = request.GET.get("instance", "")[:300]
        return TemplateResponse(request, "badges_cms/mastodon_share.html", context, status=400)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        url = links.page_url(self, request)
        context.update(
            share_url=url,
            index_url=links.page_url(self.index_page, request),
            share_links=share_links.share_links(self.title, url, self.summary),
            mastodon_share_action=url + MASTODON_ROUTE,
            linkedin_form=form_for_request(request, self),
        )
        return context
