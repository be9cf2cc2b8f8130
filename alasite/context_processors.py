from django.utils.functional import SimpleLazyObject
from wagtail.models import Site

from badges_cms.models.querysets import visible_pages


def site_nav(request):
    """The pages the site root marks 'show in menus', computed only if a template asks (every
    template rendered with a request runs this, the admin's too): one query."""

    def menu_pages():
        site = Site.find_for_request(request)
        if site is None:
            return []
        pages = visible_pages(site.root_page.get_children().in_menu())
        # Of the specific class, for its URL, without a further query for its own fields.
        return list(pages.specific(defer=True))

    return {"site_nav": SimpleLazyObject(menu_pages)}
