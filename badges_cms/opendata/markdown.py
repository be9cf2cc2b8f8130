"""Rich text as Markdown, for the ``narrative`` fields of Open Badges documents.

Open Badges gives criteria narratives as Markdown. Badge criteria are Wagtail rich text limited
to headings, bold, italic, links and lists (CRITERIA_FEATURES), so a small converter covers
them; anything else is reduced to its text rather than passed through as HTML.
"""

import re

from bs4 import BeautifulSoup, NavigableString, Tag
from wagtail.rich_text import expand_db_html

# Characters that would otherwise start Markdown syntax inside running text.
MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|~!])")
LINE_START_SPECIAL = re.compile(r"^(\s*)([-+]|\d+[.)])(\s)", re.MULTILINE)
BLOCK_TAGS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "blockquote", "div"}
SAFE_LINK_SCHEMES = ("http://", "https://", "mailto:", "/", "#")


def escape(text):
    text = MARKDOWN_SPECIAL.sub(r"\\\1", text)
    # "- x", "+ x" and "1. x" at the start of a line would begin a list.
    return LINE_START_SPECIAL.sub(_escape_list_marker, text)


def _escape_list_marker(match):
    indent, marker, space = match.groups()
    escaped = "\\" + marker if marker in "-+" else marker[:-1] + "\\" + marker[-1]
    return indent + escaped + space


def richtext_to_markdown(html, base_url=""):
    """Markdown for a rich-text value in Wagtail's database format. Internal links are
    expanded to real addresses, made absolute with base_url when they are relative."""
    soup = BeautifulSoup(expand_db_html(html or ""), "html.parser")
    blocks = [_block(node, base_url) for node in soup.children]
    return "\n\n".join(block for block in blocks if block).strip()


def _block(node, base_url):
    if isinstance(node, NavigableString):
        return " ".join(escape(str(node)).split())
    if not isinstance(node, Tag):
        return ""
    name = node.name
    if name in {"ul", "ol"}:
        return _list(node, base_url, depth=0)
    text = _inline(node, base_url).strip()
    if not text:
        return ""
    if re.fullmatch(r"h[1-6]", name):
        return "#" * int(name[1]) + " " + text
    if name == "blockquote":
        return "\n".join("> " + line for line in text.splitlines())
    return text


def _list(node, base_url, depth):
    lines = []
    ordered = node.name == "ol"
    items = [child for child in node.children if isinstance(child, Tag) and child.name == "li"]
    for number, item in enumerate(items, start=1):
        marker = f"{number}." if ordered else "-"
        nested = [
            child
            for child in item.children
            if isinstance(child, Tag) and child.name in {"ul", "ol"}
        ]
        for child in nested:
            child.extract()
        lines.append("    " * depth + f"{marker} {_inline(item, base_url).strip()}")
        lines.extend(_list(child, base_url, depth + 1) for child in nested)
    return "\n".join(lines)


def _inline(node, base_url):
    parts = []
    for child in node.children:
        if isinstance(child, NavigableString):
            parts.append(re.sub(r"\s+", " ", escape(str(child))))
        elif isinstance(child, Tag):
            parts.append(_inline_tag(child, base_url))
    return "".join(parts)


def _inline_tag(tag, base_url):
    inner = _inline(tag, base_url)
    if tag.name == "br":
        return "  \n"
    if not inner.strip():
        return inner
    if tag.name in {"b", "strong"}:
        return f"**{inner}**"
    if tag.name in {"i", "em"}:
        return f"*{inner}*"
    if tag.name == "a":
        href = (tag.get("href") or "").strip()
        if href.startswith("/") and not href.startswith("//"):
            href = base_url.rstrip("/") + href
        if not href.startswith(SAFE_LINK_SCHEMES) or href.startswith("//"):
            return inner  # javascript: and other schemes never become links
        return f"[{inner}](<{href.replace('>', '%3E').replace(' ', '%20')}>)"
    if tag.name in BLOCK_TAGS:
        return inner + "\n"
    return inner
