"""What a page tells link previews, search engines and feed readers about itself.

``page_meta(context)`` gathers, for the page a template renders: the canonical address, Open
Graph and Twitter card values (all URLs absolute, the image 1200x630), the Atom feed and Open
Badges documents to advertise, and the schema.org JSON-LD blocks. Routes that render something
other than the page itself (an issuer page) pass ``meta_overrides`` in the template context.
"""

import html
from dataclasses import dataclass, field, replace

from django.conf import settings
from django.templatetags.static import static
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.utils.translation import get_language, to_locale
from django.utils.translation import gettext as _
from wagtail.models import Page, Site

from .. import conf, links
from ..opendata import structured_data
from .image_operations import SHARE_IMAGE_HEIGHT, SHARE_IMAGE_WIDTH, share_rendition

DESCRIPTION_LENGTH = 300
# How a title that already names its site may end: "Badges · ALA Digital Badges".
TITLE_SEPARATORS = (" · ", " | ", " - ", " – ", " — ")


@dataclass(frozen=True)
class ShareImage:
    url: str
    width: int
    height: int
    alt: str
    type: str = "image/png"


@dataclass(frozen=True)
class Alternate:
    type: str
    url: str
    title: str = ""


@dataclass(frozen=True)
class PageMeta:
    title: str
    description: str
    url: str
    site_name: str
    locale: str
    image: ShareImage | None = None
    alternates: list = field(default_factory=list)
    breadcrumbs: list = field(default_factory=list)  # (name, absolute URL) pairs
    json_ld: list = field(default_factory=list)  # schema.org documents besides the breadcrumbs
    type: str = "website"

    @property
    def twitter_card(self):
        return "summary_large_image" if self.image else "summary"

    @property
    def json_ld_scripts(self):
        documents = list(self.json_ld)
        # A trail of one (the home page) says nothing a crawler could use.
        if len(self.breadcrumbs) > 1:
            documents.insert(0, structured_data.breadcrumb_list(self.breadcrumbs))
        return [structured_data.json_ld_script(document) for document in documents]


def short_text(value, length=DESCRIPTION_LENGTH):
    """Plain text on one line, cut to length (the text is kept as typed: never stripped)."""
    return Truncator(" ".join((value or "").split())).chars(length)


def description_of(page):
    """The editor's search description, else a badge's summary, else the page's introduction
    (rich text, so reduced to its words)."""
    plain = page.search_description or getattr(page, "summary", "")
    if plain:
        return short_text(plain)
    return short_text(richtext_words(getattr(page, "intro", "")))


def richtext_words(value):
    """The words of a rich-text value: tags removed, entities such as &amp; decoded."""
    return html.unescape(strip_tags(value or ""))


def site_name(request):
    site = Site.find_for_request(request)
    return (site.site_name if site else "") or getattr(settings, "WAGTAIL_SITE_NAME", "")


def default_share_image(request):
    image = conf.get("BADGES_CMS_DEFAULT_SHARE_IMAGE")
    if not image:
        return None
    return ShareImage(
        url=links.absolute_url(request, static(image["path"])),
        width=image.get("width", SHARE_IMAGE_WIDTH),
        height=image.get("height", SHARE_IMAGE_HEIGHT),
        alt=image.get("alt", ""),
        type=image.get("type", "image/png"),
    )


def badge_share_image(page, request):
    rendition = share_rendition(page.badge_image)
    if rendition is None:
        return default_share_image(request)
    return ShareImage(
        url=links.absolute_url(request, rendition.url),
        width=rendition.width,
        height=rendition.height,
        alt=page.badge_image_alt,
    )


def ancestors(page, request, site=None):
    """The page's ancestors from the site's root page (its home page) down, leaving out any
    above it, which are not part of this site.

    The request's site holds its root page and Wagtail's routing hands each page its parent,
    so the home page, its children (an index) and theirs (the badges) have their ancestors
    without a query. Deeper pages, and sites whose root is not at the top of the tree, read
    them in one query."""
    site = site or Site.find_for_request(request)
    root = site.root_page if site else None
    if root is not None and root.depth == 2 and page.path.startswith(root.path):
        if page.depth == root.depth:
            return []
        if page.depth == root.depth + 1:
            return [root]
        if page.depth == root.depth + 2:
            # A badge routed below its index holds the index already (BadgePage.index_page).
            parent = page.__dict__.get("index_page") or page.get_parent()
            return [root, parent]
    found = list(page.get_ancestors(inclusive=False).filter(depth__gt=1))
    if root is not None and page.path.startswith(root.path):
        found = [ancestor for ancestor in found if ancestor.path.startswith(root.path)]
    return found


def breadcrumbs(page, request):
    """(name, URL) from the site's home page, named "Home", down to page. Ancestors without a
    URL on this site are left out. The home page's own trail is that one item."""
    site = Site.find_for_request(request)
    root_id = site.root_page_id if site else None
    trail = []
    for ancestor in ancestors(page, request, site):
        url = ancestor.get_url(request=request)
        if url is not None:
            name = _("Home") if ancestor.pk == root_id else ancestor.title
            trail.append((name, links.absolute_url(request, url)))
    name = _("Home") if page.pk == root_id else page.title
    trail.append((name, links.page_url(page, request)))
    return trail


def feed_alternate(index_page, request):
    return Alternate(
        "application/atom+xml",
        links.feed_url(index_page, request),
        _("New badges: %(index)s") % {"index": index_page.title},
    )


def page_meta(context):
    """The PageMeta for a template context, or None when it renders no Wagtail page. A page type
    adds what it says about itself through its ``extend_page_meta(meta, request, context)``
    (badge pages and indexes do: badge_page_meta, index_page_meta)."""
    request = context.get("request")
    page = context.get("page")
    if request is None or not isinstance(page, Page):
        return None
    url = links.page_url(page, request)
    name = site_name(request)
    trail = breadcrumbs(page, request)
    meta = PageMeta(
        title=page.seo_title or page.title,
        description=description_of(page),
        url=url,
        site_name=name,
        locale=to_locale(get_language() or settings.LANGUAGE_CODE),
        image=default_share_image(request),
        breadcrumbs=trail,
        # The site's home page names the site to search engines (a trail of one item).
        json_ld=[structured_data.website(name, url)] if len(trail) == 1 and name else [],
    )
    extend = getattr(page, "extend_page_meta", None)
    if extend is not None:
        meta = extend(meta, request, context)
    elif context.get("badge_index") is not None:
        # A page that shows badges from an index (the home page) advertises that index's feed.
        meta = replace(meta, alternates=[feed_alternate(context["badge_index"], request)])
    overrides = context.get("meta_overrides")
    return replace(meta, **overrides) if overrides else meta


def badge_page_meta(meta, page, request, pathway_places=None):
    alternates = [feed_alternate(page.index_page, request)]
    if page.live:
        # Advertise the Open Badges documents only where they answer (not in a draft preview).
        alternates += [
            Alternate(
                "application/ld+json", links.badgeclass_url(page, request), "Open Badges 2.0"
            ),
            Alternate(
                "application/ld+json", links.achievement_url(page, request), "Open Badges 3.0"
            ),
        ]
    return replace(
        meta,
        image=badge_share_image(page, request),
        alternates=alternates,
        json_ld=[
            *meta.json_ld,
            structured_data.credential(page, request, pathway_places=pathway_places or ()),
        ],
    )


def index_page_meta(meta, page, request, badges):
    json_ld = list(meta.json_ld)
    if badges is not None:
        json_ld.append(
            structured_data.item_list(
                page,
                badges.object_list,
                request,
                first_position=badges.start_index() or 1,
                total=badges.paginator.count,
            )
        )
    return replace(meta, alternates=[feed_alternate(page, request)], json_ld=json_ld)


def route_meta_overrides(index_page, request, trail, description, json_ld=()):
    """What a route of the index (a directory, an issuer's or a pathway's page) says about
    itself instead of the index: ``trail`` is its breadcrumbs below the index, as (title,
    absolute URL), the last one itself."""
    title, url = trail[-1]
    return {
        "title": title,
        "description": description,
        "url": url,
        "breadcrumbs": breadcrumbs(index_page, request) + list(trail),
        "json_ld": list(json_ld),
    }


def issuer_directory_title():
    return _("Badge issuers")


def issuer_directory_meta_overrides(index_page, request):
    trail = [(issuer_directory_title(), links.issuer_directory_url(index_page, request))]
    description = _("Who issues the badges listed on %(index)s, and how many each issues.") % {
        "index": index_page.title
    }
    return route_meta_overrides(index_page, request, trail, description)


def issuer_meta_overrides(index_page, issuer, request):
    trail = [
        (issuer_directory_title(), links.issuer_directory_url(index_page, request)),
        (issuer.name, links.issuer_page_url(index_page, issuer, request)),
    ]
    description = short_text(issuer.description) or _("Digital badges issued by %(issuer)s.") % {
        "issuer": issuer.name
    }
    document = structured_data.organization_document(issuer, index_page, request)
    return route_meta_overrides(index_page, request, trail, description, [document])


def pathway_directory_title():
    return _("Pathways")


def pathway_directory_meta_overrides(index_page, request):
    trail = [(pathway_directory_title(), links.pathway_directory_url(index_page, request))]
    description = _("Series of badges listed on %(index)s, to earn one after another.") % {
        "index": index_page.title
    }
    return route_meta_overrides(index_page, request, trail, description)


def pathway_meta_overrides(index_page, pathway, request, json_ld):
    trail = [
        (pathway_directory_title(), links.pathway_directory_url(index_page, request)),
        (pathway.title, links.pathway_page_url(index_page, pathway, request)),
    ]
    description = short_text(pathway.description)
    return route_meta_overrides(index_page, request, trail, description, [json_ld])


def document_title(title, name):
    """The text of a page's <title>: its own title and the site's name, unless the title is
    the name already (a home page titled after its site) or ends with it."""
    title = " ".join((title or "").split())
    name = " ".join((name or "").split())
    if not title:
        return name
    folded, site = title.casefold(), name.casefold()
    endings = tuple(separator + site for separator in TITLE_SEPARATORS)
    if not name or folded == site or folded.endswith(endings):
        return title
    return _("%(title)s · %(site_name)s") % {"title": title, "site_name": name}
