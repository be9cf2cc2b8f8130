"""Wagtail API (v2) endpoints for a site that publishes badges.

``BadgePagesAPIViewSet`` is Wagtail's pages endpoint with two differences: a listing of badge
pages (``?type=badges_cms.BadgePage``) fetches issuers, skills, renditions and Credly figures in
a fixed number of queries instead of several per badge, and view-restricted pages are left out
for every caller, signed in or not. ``PublicImagesAPIViewSet`` lists only images that live,
public pages or issuers show, so an unpublished badge's artwork does not announce it early.
``PathwaysAPIViewSet`` lists the published pathways with the badges of each that anyone may
see in the request's site, in order, in a fixed number of queries.
"""

from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Prefetch, Q
from django.db.models.functions import Cast
from wagtail.api import APIField
from wagtail.api.v2.filters import FieldsFilter, OrderingFilter
from wagtail.api.v2.views import BaseAPIViewSet, PagesAPIViewSet
from wagtail.images import get_image_model
from wagtail.images.api.v2.views import ImagesAPIViewSet
from wagtail.models import Page, ReferenceIndex, Site

from ..models import BadgeIssuer, BadgePage, Pathway, PathwayBadge
from ..models.querysets import with_figures
from .api_fields import API_RENDITIONS, IssuerField, PathwayBadgesField


def with_api_data(queryset):
    """Badge pages with everything their API fields read, in a fixed number of queries."""
    images = get_image_model().objects.prefetch_renditions(*API_RENDITIONS.values())
    # The synced figures are annotated (an alias's through its original) and read by
    # BadgePage.issued_count and is_retired instead of a query per page.
    return with_figures(
        queryset.select_related("issuer", "locale").prefetch_related(
            Prefetch("badge_image", queryset=images), "skills", "partner_issuers"
        )
    )


class BadgePagesAPIViewSet(PagesAPIViewSet):
    def get_base_queryset(self):
        # Wagtail lets a signed-in user who passes a view restriction see the page here too;
        # the public API never shows restricted pages to anyone.
        return super().get_base_queryset().public()

    def get_queryset(self):
        queryset = super().get_queryset()
        if issubclass(queryset.model, BadgePage):
            queryset = with_api_data(queryset)
        return queryset


def public_images():
    """Images that live, public pages show (their badge image, or any field or block as
    Wagtail's reference index records it) or that issuers use as their logo."""
    image_model = get_image_model()
    public_pages = Page.objects.live().public()
    referenced = ReferenceIndex.objects.filter(
        base_content_type=ContentType.objects.get_for_model(Page),
        to_content_type=ContentType.objects.get_for_model(image_model),
        object_id__in=public_pages.annotate(text_pk=Cast("pk", CharField())).values("text_pk"),
    ).values("to_object_id")
    badge_images = BadgePage.objects.live().public().values("badge_image_id")
    logos = BadgeIssuer.objects.values("logo_id")
    # Ids in the reference index are text: compare the images' ids as text too.
    return image_model.objects.annotate(text_pk=Cast("pk", CharField())).filter(
        Q(pk__in=badge_images) | Q(pk__in=logos) | Q(text_pk__in=referenced)
    )


class PublicImagesAPIViewSet(ImagesAPIViewSet):
    def get_queryset(self):
        return super().get_queryset().filter(pk__in=public_images().values("pk"))


class PathwaysAPIViewSet(BaseAPIViewSet):
    """``/api/v2/pathways/``: the published pathways, by title, each with its issuer and its
    badges that anyone may see in the request's site, in order. A draft pathway, or one
    unpublished since, is not listed and its detail answers 404. Listing costs the same queries
    however many pathways and badges: the count, the pathways with their issuers, and their
    shown entries with the badges."""

    model = Pathway
    filter_backends = [FieldsFilter, OrderingFilter]  # ?slug=..., ?issuer=<id>, ?order=...
    body_fields = [
        *BaseAPIViewSet.body_fields,
        APIField("title"),
        APIField("slug"),
        APIField("description"),
        APIField("issuer", serializer=IssuerField()),
        APIField("badges", serializer=PathwayBadgesField(source="shown_entries")),
    ]
    listing_default_fields = [
        *BaseAPIViewSet.listing_default_fields,
        "title",
        "slug",
        "description",
        "issuer",
        "badges",
    ]

    def get_queryset(self):
        site = Site.find_for_request(self.request)
        entries = (
            PathwayBadge.objects.shown_in(site).select_related("badge").order_by("sort_order", "pk")
        )
        return (
            Pathway.objects.published()
            .select_related("issuer")
            .prefetch_related(Prefetch("entries", queryset=entries, to_attr="shown_entries"))
            .order_by("title", "pk")
        )
