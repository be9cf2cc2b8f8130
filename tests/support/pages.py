"""Reading pages as a visitor gets them, and hiding a page from visitors."""

from bs4 import BeautifulSoup
from django.contrib.auth.models import Group
from wagtail.models import PageViewRestriction


def soup_of(response):
    """The page a 200 response holds, parsed."""
    assert response.status_code == 200, response.status_code
    return BeautifulSoup(response.content, "html.parser")


def restrict_to_staff(page):
    """Put the page behind a group restriction: live, but private."""
    restriction = PageViewRestriction.objects.create(
        page=page, restriction_type=PageViewRestriction.GROUPS
    )
    restriction.groups.set([Group.objects.get_or_create(name=f"Staff of {page.slug}")[0]])
