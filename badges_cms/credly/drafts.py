"""Draft BadgePages made from Credly templates that have no page yet.

Credly's text is untrusted: every piece is escaped before it becomes rich text, and the only
markup produced is our own paragraphs, list items and links to http(s) addresses.
"""

import re

from django.utils.html import escape, format_html, format_html_join
from django.utils.text import Truncator, slugify

from ..models import BadgePage

PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
SENTENCE_END = re.compile(r"(?<=[.!?])\s")


def criteria_html(data):
    parts = [
        format_html("<p>{}</p>", paragraph.strip())
        for paragraph in PARAGRAPH_BREAK.split(data.description)
        if paragraph.strip()
    ]
    if data.activities:
        items = format_html_join(
            "",
            "<li>{}</li>",
            (
                (format_html('<a href="{}">{}</a>', url, title) if url else escape(title),)
                for title, url in data.activities
            ),
        )
        parts.append(format_html("<ul>{}</ul>", items))
    if data.criteria_url:
        parts.append(
            format_html(
                '<p><a href="{}">Full criteria on the issuer\'s site</a></p>', data.criteria_url
            )
        )
    return "".join(parts) or format_html("<p>{}</p>", data.name)


def summary_text(data):
    first = SENTENCE_END.split(data.description.strip(), maxsplit=1)[0] if data.description else ""
    return Truncator(" ".join((first or data.name).split())).chars(300)


def unique_slug(parent, name):
    base = slugify(name)[:200] or "badge"
    taken = set(parent.get_children().filter(slug__startswith=base).values_list("slug", flat=True))
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    return slug


def create_draft_page(index_page, data):
    """A draft (never live) BadgePage for one template, with a first revision for editors."""
    page = BadgePage(
        title=data.name,
        slug=unique_slug(index_page, data.name),
        summary=summary_text(data),
        criteria=criteria_html(data),
        credly_template_id=data.id,
        earn_url=data.activity_url,
        activity_title=data.activities[0][0] if data.activities else "",
        activity_url=data.activities[0][1] if data.activities else "",
        live=False,
    )
    page.skills.add(*data.skills)
    index_page.add_child(instance=page)
    # Required fields (issuer, image) are for the editor to fill in before publishing, the way
    # the admin defers them on drafts; the title and slug were checked by add_child.
    page.save_revision(clean=False, log_action=True)
    return page
