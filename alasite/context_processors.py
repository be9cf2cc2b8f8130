from django.utils.functional import SimpleLazyObject
from wagtail.models import Site


def site_nav(request):
    """The pages the site root marks 'show in menus', computed only if a template asks."""

    def menu_pages():
        site = Site.find_for_request(request)
        if site is None:
            return []
        return list(site.root_page.get_children().live().public().in_menu().specific())

    return {"site_nav": SimpleLazyObject(menu_pages)}
