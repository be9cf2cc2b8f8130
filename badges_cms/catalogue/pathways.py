"""The public view of pathways below a BadgeIndexPage: ``pathways/`` lists the published
pathways with how many badges each holds, ``pathways/<slug>/`` shows one pathway's badges in
order, with their issued counts.

Only what anyone may see is shown or counted: published pathways, and of their badges those that
are live, not behind a view restriction and of the request's site. A draft or private badge of a
pathway is left out (the pathway reads "3 badges" when one of four is a draft), and a pathway
that is not published answers 404 like a page that does not exist.
"""

from django.db.models import F
from django.http import Http404
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from wagtail.models import Site

from .. import links
from ..opendata.structured_data import pathway_item_list
from ..sharing.meta import pathway_directory_meta_overrides, pathway_meta_overrides


def _models(index_page):
    """The pathway models, through the page model's relations: this module is part of the page
    models' routes (catalogue/routes.py), so it imports no model."""
    entry_model = index_page.visible_badges().model._meta.get_field("pathway_entries")
    entries = entry_model.related_model
    return entries._meta.get_field("pathway").related_model, entries


def visible_badges_of_site(index_page, request):
    badges = index_page.visible_badges().model.objects
    return badges.visible_in(Site.find_for_request(request))


def published_slugs(index_page):
    """The slugs of every published pathway, by title (the sitemap, purges)."""
    pathway_model, _entries = _models(index_page)
    return list(pathway_model.objects.published().order_by("title").values_list("slug", flat=True))


def pathway_directory(request, index_page):
    pathway_model, _entries = _models(index_page)
    badges = visible_badges_of_site(index_page, request)
    pathways = (
        pathway_model.objects.published()
        .select_related("issuer")
        .with_badge_counts(badges)
        .order_by("title", "pk")
    )
    context = {
        "page": index_page,
        "self": index_page,
        "request": request,
        "pathways": pathways,
        "meta_overrides": pathway_directory_meta_overrides(index_page, request),
    }
    return TemplateResponse(request, "badges_cms/pathway_directory.html", context)


def pathway_badges(pathway, badges):
    """The badges of ``pathway`` among ``badges``, in the pathway's order, with what a card shows
    and ``pathway_required`` (required or elective): one row a badge, as a badge is in a pathway
    once."""
    return (
        badges.filter(pathway_entries__pathway=pathway)
        .for_cards()
        .annotate(
            pathway_required=F("pathway_entries__required"),
            pathway_order=F("pathway_entries__sort_order"),
        )
        .order_by("pathway_order", "pk")
    )


def pathway_page(request, index_page, slug):
    pathway_model, _entries = _models(index_page)
    pathway = pathway_model.objects.published().select_related("issuer").filter(slug=slug).first()
    if pathway is None:
        raise Http404(_("No such pathway"))
    badges = list(pathway_badges(pathway, visible_badges_of_site(index_page, request)))
    required = sum(1 for badge in badges if badge.pathway_required)
    context = {
        "page": index_page,
        "self": index_page,
        "request": request,
        "pathway": pathway,
        "pathway_badges": badges,
        "required_count": required,
        "elective_count": len(badges) - required,
        "directory_url": links.pathway_directory_url(index_page, request),
        "issuer_url": pathway.issuer and links.issuer_page_url(index_page, pathway.issuer, request),
        "meta_overrides": pathway_meta_overrides(
            index_page,
            pathway,
            request,
            json_ld=pathway_item_list(pathway, badges, index_page, request),
        ),
    }
    return TemplateResponse(request, "badges_cms/pathway_page.html", context)
