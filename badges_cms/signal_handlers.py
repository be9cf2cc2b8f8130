"""Purge the HTTP cache in front of the site after every change that shows on a public page.

Connected in ``BadgesCmsConfig.ready()``, so they run in whichever process makes the change
(web, task worker, management command). Each builds a ``PurgePlan`` while the change is made
(old addresses still resolve then) and sends it once the transaction commits. Synced figures
are purged by the sync itself (credly/sync.py), and only when a figure changed.
"""

from django.db.models.signals import m2m_changed, post_save, pre_delete, pre_save
from wagtail.images import get_image_model
from wagtail.models import Page, PageViewRestriction, Site
from wagtail.signals import (
    page_published,
    page_slug_changed,
    page_unpublished,
    post_page_move,
    pre_page_move,
    published,
    unpublished,
)

from .http_cache.purge import PurgePlan, purge_configured, queue_purge
from .models import BadgeIndexPage, BadgeIssuer, BadgePage, Pathway, PathwayBadge, StepGuide

UID = "badges_cms.http_cache.purge"


def page_changed(sender, instance, **kwargs):
    """Published (an alias too), unpublished, or about to be deleted: the page's addresses
    and everything that lists it, while the page is still where it was."""
    if not purge_configured():
        return
    plan = PurgePlan()
    plan.add_page(instance)
    if not isinstance(instance.specific_deferred, BadgePage):
        # Any other page may be in every page's navigation, or above badge pages, which show
        # their index's guide and breadcrumbs: the whole site goes.
        site = instance.get_site()
        if site is not None:
            plan.add_everything(Page.objects.descendant_of(site.root_page, inclusive=True))
    queue_purge(plan, f"page {instance.pk} changed")


def page_moving(sender, instance, **kwargs):
    """Before a move: the old addresses of the page and every page below it, and the old
    listings. The new ones are purged on publish, or just below once the move is done."""
    if not purge_configured():
        return
    plan = PurgePlan()
    plan.add_subtree(instance)
    queue_purge(plan, f"page {instance.pk} moved from")


def page_moved(sender, instance, **kwargs):
    if not purge_configured():
        return
    plan = PurgePlan()
    plan.add_subtree(Page.objects.get(pk=instance.pk))
    queue_purge(plan, f"page {instance.pk} moved to")


def slug_changed(sender, instance, instance_before, **kwargs):
    """A new slug: the old addresses (the page's, its documents', and every page's below it)
    answer 404 now, and must not be served from the cache."""
    if not purge_configured():
        return
    plan = PurgePlan()
    old_base, new_base = instance_before.get_full_url(), instance.get_full_url()
    if old_base and new_base:
        for page in instance.get_descendants(inclusive=True).live().specific(defer=True):
            for url in plan.page_urls(page):
                plan.add_url(url.replace(new_base, old_base, 1))
    queue_purge(plan, f"page {instance.pk} renamed")


def issuer_changed(sender, instance, raw=False, **kwargs):
    """An issuer's name, logo or site shows on its badges, their documents, the issuer pages
    and Profiles, and every listing's filters."""
    if raw or not purge_configured():
        return
    plan = PurgePlan()
    badges = BadgePage.objects.live().filter(issuer=instance) | BadgePage.objects.live().filter(
        partner_issuers=instance
    )
    plan.add_badges(badges.distinct().specific(defer=True))
    for index in BadgeIndexPage.objects.live():
        plan.add_index(index)
        plan.add_site_wide(index)
    queue_purge(plan, f"issuer {instance.pk} changed")


def guide_changed(sender, instance, raw=False, **kwargs):
    """A step guide shows on every badge page below the indexes that use it."""
    if raw or not purge_configured():
        return
    plan = PurgePlan()
    for index in BadgeIndexPage.objects.live().filter(accept_guide=instance):
        plan.add_everything(index.get_descendants(inclusive=True))
    queue_purge(plan, f"step guide {instance.pk} changed")


def image_changed(sender, instance, raw=False, **kwargs):
    """An image (a new file, focal point or alt text): the badges that show it, and pages whose
    content refers to it."""
    if raw or not purge_configured():
        return
    plan = PurgePlan()
    plan.add_badges(BadgePage.objects.live().filter(badge_image=instance))
    plan.add_referencing_pages(instance)
    queue_purge(plan, f"image {instance.pk} changed")


def pathway_saving(sender, instance, raw=False, **kwargs):
    """Before a pathway's row is written (publishing writes it, and then its badges): note the
    badges and the slug it had, whose pages show it until the purge."""
    if raw or instance.pk is None or not purge_configured():
        return
    before = PathwayBadge.objects.filter(pathway_id=instance.pk)
    instance.purge_badge_ids = set(before.values_list("badge_id", flat=True))
    instance.purge_slugs = set(
        Pathway.objects.filter(pk=instance.pk).values_list("slug", flat=True)
    )


def pathway_changed(sender, instance, **kwargs):
    """Published, unpublished or about to be deleted: the pathway's pages below every index,
    the pages of the badges it holds (or held: they say "2 of 3" and name the next badge, with
    their aliases), every index (its pathway filter) and the API."""
    if not purge_configured():
        return
    badge_ids = set(getattr(instance, "purge_badge_ids", ()))
    badge_ids |= set(
        PathwayBadge.objects.filter(pathway_id=instance.pk).values_list("badge_id", flat=True)
    )
    slugs = {instance.slug, *getattr(instance, "purge_slugs", ())}
    plan = PurgePlan()
    plan.add_badges(BadgePage.objects.live().and_their_aliases(badge_ids).specific(defer=True))
    for index in BadgeIndexPage.objects.live():
        plan.add_index(index)
        plan.add_pathway_pages(index, slugs)
        plan.add_pathways_api(index, [instance.pk])
    queue_purge(plan, f"pathway {instance.pk} changed")


def site_changed(sender, instance, raw=False, **kwargs):
    """A Site's root page, host name or port: every page of the site may show differently."""
    if raw or not purge_configured():
        return
    plan = PurgePlan()
    if instance.root_page_id:
        plan.add_everything(Page.objects.descendant_of(instance.root_page, inclusive=True))
    queue_purge(plan, f"site {instance.pk} changed")


def restriction_changed(sender, instance, raw=False, **kwargs):
    """A password or login now guards the page and everything below it (or no longer does):
    their cached copies, and every listing that showed them, go."""
    if raw or not purge_configured():
        return
    page = Page.objects.filter(pk=instance.page_id).first()
    if page is None:
        return
    plan = PurgePlan()
    plan.add_subtree(page)
    queue_purge(plan, f"view restriction on page {page.pk} changed")


def restriction_groups_changed(sender, instance, **kwargs):
    if kwargs.get("action", "").startswith("post_"):
        restriction_changed(sender, instance)


def register_signal_handlers():
    page_published.connect(page_changed, dispatch_uid=f"{UID}.published")
    page_unpublished.connect(page_changed, dispatch_uid=f"{UID}.unpublished")
    pre_delete.connect(page_changed, sender=Page, dispatch_uid=f"{UID}.deleted")
    pre_page_move.connect(page_moving, dispatch_uid=f"{UID}.moving")
    post_page_move.connect(page_moved, dispatch_uid=f"{UID}.moved")
    page_slug_changed.connect(slug_changed, dispatch_uid=f"{UID}.slug")
    for model, handler in (
        (BadgeIssuer, issuer_changed),
        (StepGuide, guide_changed),
        (get_image_model(), image_changed),
        (Site, site_changed),
        (PageViewRestriction, restriction_changed),
    ):
        name = f"{UID}.{model._meta.label_lower}"
        post_save.connect(handler, sender=model, dispatch_uid=f"{name}.saved")
        # Before the row goes: what it showed on can still be found.
        pre_delete.connect(handler, sender=model, dispatch_uid=f"{name}.deleted")
    name = f"{UID}.{Pathway._meta.label_lower}"
    pre_save.connect(pathway_saving, sender=Pathway, dispatch_uid=f"{name}.saving")
    published.connect(pathway_changed, sender=Pathway, dispatch_uid=f"{name}.published")
    unpublished.connect(pathway_changed, sender=Pathway, dispatch_uid=f"{name}.unpublished")
    pre_delete.connect(pathway_changed, sender=Pathway, dispatch_uid=f"{name}.deleted")
    m2m_changed.connect(
        restriction_groups_changed,
        sender=PageViewRestriction.groups.through,
        dispatch_uid=f"{UID}.restriction_groups",
    )
