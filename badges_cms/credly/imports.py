"""Importing one Credly template as a draft BadgePage, on an editor's request.

The draft is built from what Credly says about the template now (fetched with our token), not
from our stored row, which keeps only figures; the page itself is made by the same code as the
drafts of `sync_credly_badges --import-drafts` (drafts.py), and its images by images.py.
"""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from ..conf import credly_config
from ..models import BadgePage
from .client import CredlyClient, CredlyConfigError, CredlyError, CredlyNotFound
from .drafts import create_draft_page
from .images import attach_template_images
from .sync import TemplateData


class ImportRefused(Exception):
    """The template could not be imported; str() says why, for the editor."""


def import_template(template_id, index_page, user):
    """Create a draft BadgePage for a Credly template below ``index_page``, owned by ``user``.

    Returns ``(page, problems)``: the new page and the image problems (strings; a missing image
    only means the editor picks one). Raises ImportRefused, changing nothing, when a page
    already holds the template, Credly is not configured, Credly does not have the template or
    cannot be asked, or another page takes the template meanwhile.
    """
    existing = BadgePage.objects.linked_to(template_id).first()
    if existing is not None:
        raise ImportRefused(_("“%(title)s” already uses this template.") % {"title": existing})
    try:
        client = CredlyClient(credly_config())
        data = TemplateData.from_credly(client.get_badge_template(template_id))
    except CredlyConfigError as exc:
        raise ImportRefused(_("Credly is not configured: %(problem)s") % {"problem": exc}) from exc
    except CredlyNotFound as exc:
        raise ImportRefused(_("Credly no longer has this template.")) from exc
    except CredlyError as exc:
        raise ImportRefused(_("Credly could not be asked: %(problem)s") % {"problem": exc}) from exc
    try:
        with transaction.atomic():
            page = create_draft_page(index_page, data)
            # create_draft_page also serves the nightly import, which has no user; here someone
            # asked for the draft, so it is theirs, as if they had created it in the editor.
            BadgePage.objects.filter(pk=page.pk).update(owner=user)
            page.owner = user
            log(instance=page, action="wagtail.create", user=user)
    except IntegrityError as exc:  # someone (or the nightly import) was quicker
        raise ImportRefused(_("Another page took this template a moment ago.")) from exc
    # Images are fetched after the page is committed: a slow image host must not hold a
    # transaction open, and a missing image only means the editor picks one.
    problems = attach_template_images([page], {data.id: data})
    page.revisions.filter(user=None).update(user=user)  # the draft's and the image's revision
    return page, problems
