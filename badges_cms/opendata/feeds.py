"""The Atom feed of newly published badges below a BadgeIndexPage, served at ``<index>/feed/``."""

import datetime

from django.contrib.syndication.views import Feed
from django.db.models import F
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape, format_html
from django.utils.translation import gettext as _

from .. import conf, links
from ..sharing.meta import richtext_words, short_text, site_name

# For pages made live without a publishing step (imports, fixtures): Atom needs some date.
UNKNOWN_DATE = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)


def published_at(badge):
    return badge.first_published_at or badge.latest_revision_created_at or UNKNOWN_DATE


class BadgeFeed(Feed):
    """Built per request by the index's ``feed/`` route, which passes the index page in."""

    feed_type = Atom1Feed

    def __call__(self, request, *args, **kwargs):
        self.request = request
        return super().__call__(request, *args, **kwargs)

    def get_object(self, request, index_page):
        return index_page

    def site_name(self):
        return site_name(self.request) or self.request.get_host()

    def title(self, index_page):
        return _("New badges: %(index)s") % {"index": index_page.seo_title or index_page.title}

    def subtitle(self, index_page):
        return short_text(richtext_words(index_page.intro)) or None

    def link(self, index_page):
        return links.page_url(index_page, self.request)

    def feed_url(self, index_page):
        return links.feed_url(index_page, self.request)

    def feed_guid(self, index_page):
        return links.feed_url(index_page, self.request)

    def author_name(self, index_page):
        return self.site_name()

    def items(self, index_page):
        badges = index_page.visible_badges()
        return (
            badges.select_related("issuer")
            .prefetch_related("skills")
            .order_by(F("first_published_at").desc(nulls_last=True), "-pk")[
                : conf.get("BADGES_CMS_FEED_LENGTH")
            ]
        )

    def item_title(self, badge):
        return badge.title

    def item_link(self, badge):
        return links.page_url(badge, self.request)

    def item_guid(self, badge):
        # A tag: URI (RFC 4151) names the entry by page id, so renaming or moving the page
        # does not make it look like a new badge to feed readers.
        day = published_at(badge).date().isoformat()
        return f"tag:{self.request.get_host().split(':')[0]},{day}:badges_cms/badge/{badge.pk}"

    item_guid_is_permalink = False

    def item_description(self, badge):
        # Atom's summary is typed "html": the plain summary is escaped to stay text.
        return format_html("<p>{}</p>", badge.summary) if badge.summary else escape(badge.title)

    def item_pubdate(self, badge):
        return published_at(badge)

    def item_updateddate(self, badge):
        # Atom requires <updated> on every entry.
        return badge.last_published_at or published_at(badge)

    def item_author_name(self, badge):
        return badge.issuer.name if badge.issuer else self.site_name()

    def item_author_link(self, badge):
        return badge.issuer.website if badge.issuer and badge.issuer.website else None

    def item_categories(self, badge):
        return [skill.name for skill in badge.skills.all()]
