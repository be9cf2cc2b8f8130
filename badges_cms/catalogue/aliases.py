"""Aliases and copies of badge pages.

A Credly template id belongs to one page (``BadgePage.credly_template_id`` is unique). An alias
holds none and shows its original's figures (``BadgePage.save`` and ``credly_template``); a copy
is left unlinked, and ``tell_editor_copies_are_unlinked`` says so after a copy in the admin.

Wagtail sends ``page_published`` when it updates an alias on each publish of the original
(``Page.update_aliases``), but nothing when it creates one, live, in the listings. So
``on_alias_created`` announces a new live alias the same way, and every handler that refreshes
what a publish changes (cached pages, front-end cache purges, the API's cache) runs for it too.
Converting an alias into an ordinary page (which then shows no figures) is announced likewise.
"""

from functools import partial

from django.db import transaction
from django.db.models.signals import post_save
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from wagtail.admin import messages
from wagtail.models import get_page_models
from wagtail.signals import page_published

from ..models import BadgePage

DISPATCH_UID = "badges_cms.catalogue.aliases.alias_saved"


def on_alias_created(page):
    """Announce a newly created alias as published, as Page.update_aliases does on later
    updates (revision=None: an alias has no revisions). An alias of a draft lists nowhere."""
    if page.live:
        page = page.specific
        page_published.send(sender=page.specific_class, instance=page, revision=None, alias=True)


def on_alias_converted(page):
    """Announce a live alias that became an ordinary page (ConvertAliasPageAction publishes its
    first revision without sending page_published)."""
    if page.live:
        page = page.specific
        page_published.send(sender=page.specific_class, instance=page, revision=page.live_revision)


def alias_saved(sender, instance, created=False, update_fields=None, raw=False, **kwargs):
    """post_save of any page model. Announced once the transaction commits, when Wagtail has
    also copied the new alias's relations and view restrictions."""
    if raw:
        return
    if created and instance.alias_of_id is not None:
        transaction.on_commit(partial(on_alias_created, instance))
    elif update_fields and "alias_of_id" in update_fields and instance.alias_of_id is None:
        transaction.on_commit(partial(on_alias_converted, instance))


def register_signal_handlers():
    """Connect alias creation, however it happens (the admin, create_alias in code, a translation
    made as an alias), to on_alias_created, and conversion to on_alias_converted. Call it once
    from AppConfig.ready()."""
    for model in get_page_models():
        post_save.connect(
            alias_saved, sender=model, dispatch_uid=f"{DISPATCH_UID}.{model._meta.label_lower}"
        )


def unlinked_copies(page, new_page):
    """How many linked badge pages were copied, as ``new_page`` (with its subpages, if any),
    each copy now without a template."""
    if new_page.get_children().exists():
        copied = BadgePage.objects.descendant_of(page, inclusive=True)
    else:
        copied = BadgePage.objects.filter(pk=page.pk)
    return copied.exclude(credly_template_id=None).count()


def tell_editor_copies_are_unlinked(request, page, new_page):
    """The after_copy_page hook: a copy never takes its original's Credly template, so the
    editor learns that the copy shows no figures until they link it to a template of its own."""
    if new_page.alias_of_id is not None:
        return  # an alias shows its original's figures
    count = unlinked_copies(page, new_page)
    if count == 0:
        return
    if count == 1 and new_page.specific_class is page.specific_class:
        message = _(
            "The copy is not linked to a Credly badge template: a template belongs to one page, "
            "and stays with '%(title)s'. If the copy is a badge of its own, enter its template id "
            "on its Promote tab."
        ) % {"title": page.specific_deferred.get_admin_display_title()}
    else:
        message = ngettext(
            "%(count)d copied badge page is not linked to a Credly badge template: a template "
            "belongs to one page, and stays with the original.",
            "%(count)d copied badge pages are not linked to Credly badge templates: a template "
            "belongs to one page, and stays with the original.",
            count,
        ) % {"count": count}
    messages.warning(request, message)
