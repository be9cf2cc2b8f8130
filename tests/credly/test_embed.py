"""The paste field of the Credly badge block: every shape Credly hands out gives the badge's
UUID; anything else is refused with a message that tells the editor what was wrong."""

import pytest
from django.core.exceptions import ValidationError

from badges_cms.credly.embed import parse_badge_id

BADGE_ID = "90ea8865-ec5d-44cd-b8d3-aacd4ef9502c"
UPPER = BADGE_ID.upper()

# Credly's snippet as an earner copies it today, and as Acclaim (youracclaim.com) wrote it.
CREDLY_SNIPPET = (
    f'<div data-iframe-width="150" data-iframe-height="270" data-share-badge-id="{BADGE_ID}" '
    'data-share-badge-host="https://www.credly.com"></div><script type="text/javascript" async '
    'src="//cdn.credly.com/assets/utilities/embed.js"></script>'
)
ACCLAIM_SNIPPET = (
    f'<div data-iframe-width="150" data-iframe-height="270" data-share-badge-id="{UPPER}" '
    'data-share-badge-host="https://www.youracclaim.com"></div>\n'
    '<script type="text/javascript" async '
    'src="//cdn.youracclaim.com/assets/utilities/embed.js"></script>\n'
)
BADGE_DIV = f'<div data-share-badge-id="{BADGE_ID}" data-share-badge-host="https://www.credly.com">'
EMBED_JS = '<script async src="//cdn.credly.com/assets/utilities/embed.js"></script>'


@pytest.mark.parametrize(
    "pasted",
    [
        BADGE_ID,
        UPPER,
        f"  {BADGE_ID}\n",
        f"https://www.credly.com/badges/{BADGE_ID}",
        f"https://www.credly.com/badges/{UPPER}/",
        f"https://www.credly.com/badges/{BADGE_ID}/public_url",
        f"https://www.credly.com/badges/{BADGE_ID}/public_url?source=linked_in_profile#top",
        f"https://credly.com/badges/{BADGE_ID}",
        f"www.credly.com/badges/{BADGE_ID}/public_url",
        f"https://www.credly.com/earner/earned/badge/{BADGE_ID}",
        f"https://www.youracclaim.com/badges/{BADGE_ID}/public_url",
        f"HTTPS://WWW.CREDLY.COM/badges/{BADGE_ID}",
        CREDLY_SNIPPET,
        ACCLAIM_SNIPPET,
        # Pasted with the line break and indentation an email or a word processor adds.
        CREDLY_SNIPPET.replace("><script", ">\n    <script"),
        # The div alone (the earner left the script out), and with an HTML comment.
        f'<div data-share-badge-id="{BADGE_ID}"></div>',
        f"<!-- my badge -->{BADGE_DIV}</div>{EMBED_JS}",
        f"{BADGE_DIV}</div>"
        '<script src="https://cdn.credly.com/assets/utilities/embed.js"> </script>',
    ],
)
def test_every_shape_credly_hands_out_gives_the_badge_id(pasted):
    assert parse_badge_id(pasted) == BADGE_ID


def message_for(pasted):
    with pytest.raises(ValidationError) as raised:
        parse_badge_id(pasted)
    assert len(raised.value.messages) == 1
    return raised.value.messages[0]


NOT_CREDLY_HOST = (
    "The address is on {host}, not on credly.com. Paste the address of the badge's page on "
    "Credly (https://www.credly.com/badges/…)."
)
WRONG_SCRIPT_HOST = (
    "The embed code loads a script from {host}. Credly's embed code loads embed.js from "
    "cdn.credly.com."
)
INLINE_SCRIPT = (
    "The embed code contains a script with code in it. Credly's embed code only loads "
    "embed.js from cdn.credly.com."
)


@pytest.mark.parametrize(
    ("pasted", "message"),
    [
        (
            "",
            "Paste the badge's embed code from Credly, the address of its page on Credly "
            "(https://www.credly.com/badges/…) or its id.",
        ),
        (
            "   \n  ",
            "Paste the badge's embed code from Credly, the address of its page on Credly "
            "(https://www.credly.com/badges/…) or its id.",
        ),
        (
            "12345",
            "“12345” is not a Credly badge id. A badge id looks like "
            "1b2c3d4e-5f60-4a1b-8c2d-3e4f5a6b7c8d: 32 letters and digits in five groups, "
            "joined by hyphens.",
        ),
        (
            BADGE_ID.replace("9", "g"),
            f"“{BADGE_ID.replace('9', 'g')}” is not a Credly badge id.",
        ),
        (
            BADGE_ID.replace("-", ""),
            f"“{BADGE_ID.replace('-', '')}” is not a Credly badge id.",
        ),
        (
            f"https://www.credly.com/badges/{BADGE_ID[:-1]}/public_url",
            f"“{BADGE_ID[:-1]}” is not a Credly badge id.",
        ),
        (
            "javascript:alert(document.cookie)",
            "Only https:// addresses on credly.com can be used; this one starts with "
            "“javascript:”.",
        ),
        (
            "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
            "Only https:// addresses on credly.com can be used; this one starts with “data:”.",
        ),
        (
            f"data:text/html,<b>{BADGE_ID}</b>",
            "There is text around the embed code (“data:text/html,”).",
        ),
        (
            f"https://www.credly.com.evil.example/badges/{BADGE_ID}",
            NOT_CREDLY_HOST.format(host="www.credly.com.evil.example"),
        ),
        (
            f"https://evilcredly.com/badges/{BADGE_ID}",
            NOT_CREDLY_HOST.format(host="evilcredly.com"),
        ),
        (
            f"https://credly.com.evil.example/badges/{BADGE_ID}",
            NOT_CREDLY_HOST.format(host="credly.com.evil.example"),
        ),
        (
            f"https://www.credly.com@evil.example/badges/{BADGE_ID}",
            NOT_CREDLY_HOST.format(host="evil.example"),
        ),
        (
            f"https://evil.example/?next=https://www.credly.com/badges/{BADGE_ID}",
            NOT_CREDLY_HOST.format(host="evil.example"),
        ),
        (
            f"https://user@www.credly.com/badges/{BADGE_ID}",
            "The address has a user name, a password or a port in it, which a Credly badge's "
            "address never has.",
        ),
        (
            f"https://www.credly.com:8443/badges/{BADGE_ID}",
            "The address has a user name, a password or a port in it, which a Credly badge's "
            "address never has.",
        ),
        (
            "https://www.credly.com/org/american-library-association/badge/web-analytics",
            "This credly.com address is not an earned badge's page. Open the badge on Credly and "
            "copy the address of its page (https://www.credly.com/badges/…) or its embed code.",
        ),
        (
            f"https://www.credly.com/badges/{BADGE_ID}/linked_in_profile/extra",
            "This credly.com address is not an earned badge's page.",
        ),
        (
            f"ftp://www.credly.com/badges/{BADGE_ID}",
            "Only https:// addresses on credly.com can be used; this one starts with “ftp:”.",
        ),
        (
            f"{BADGE_DIV}</div><script>alert(1)</script>",
            INLINE_SCRIPT,
        ),
        (
            f'{BADGE_DIV}</div><script src="//cdn.credly.com/assets/utilities/embed.js">'
            "fetch('/admin/')</script>",
            INLINE_SCRIPT,
        ),
        (
            f'{BADGE_DIV}</div><script src="https://evil.example/assets/utilities/embed.js">'
            "</script>",
            WRONG_SCRIPT_HOST.format(host="evil.example"),
        ),
        (
            f'{BADGE_DIV}</div><script src="https://cdn.credly.com.evil.example/assets/'
            'utilities/embed.js"></script>',
            WRONG_SCRIPT_HOST.format(host="cdn.credly.com.evil.example"),
        ),
        (
            f'{BADGE_DIV}</div><script src="javascript:alert(1)"></script>',
            WRONG_SCRIPT_HOST.format(host="javascript:alert(1)"),
        ),
        (
            f'{BADGE_DIV}</div><script src="//cdn.credly.com/assets/other.js"></script>',
            "The embed code loads “//cdn.credly.com/assets/other.js”, which is not Credly's "
            "embed.js.",
        ),
        (
            f'<div data-share-badge-id="{BADGE_ID}" onmouseover="alert(1)"></div>',
            "The embed code's <div> has an event handler, onmouseover, which Credly's embed code "
            "never has.",
        ),
        (
            f"{BADGE_DIV}</div>"
            '<script src="//cdn.credly.com/assets/utilities/embed.js" onload="alert(1)"></script>',
            "The embed code's <script> has an event handler, onload, which Credly's embed code "
            "never has.",
        ),
        (
            f'<div data-share-badge-id="{BADGE_ID}" style="position:fixed;inset:0"></div>',
            "The embed code's <div> has a style attribute, which Credly's embed code does not "
            "have.",
        ),
        (
            f'{BADGE_DIV}</div><img src="x" onerror="alert(1)">',
            "The embed code contains <img>, which Credly's embed code does not: it has only a "
            "<div> for the badge and a <script> that loads Credly's embed.js.",
        ),
        (
            f'<iframe src="https://www.credly.com/embedded_badge/{BADGE_ID}"></iframe>',
            "The embed code contains <iframe>, which Credly's embed code does not",
        ),
        (
            f'<a href="javascript:alert(1)">{BADGE_ID}</a>',
            "The embed code contains <a>, which Credly's embed code does not",
        ),
        (
            f'<div data-share-badge-id="not-a-badge"></div>{EMBED_JS}',
            "“not-a-badge” is not a Credly badge id.",
        ),
        (
            '<div data-iframe-width="150"></div>',
            "The embed code has no badge in it: Credly's code has a <div> with a "
            "data-share-badge-id attribute.",
        ),
        (
            EMBED_JS,
            "The embed code has no badge in it: Credly's code has a <div> with a "
            "data-share-badge-id attribute.",
        ),
        (
            f'{BADGE_DIV}</div><div data-share-badge-id="{UPPER}"></div>{EMBED_JS}',
            "The embed code holds 2 badges. Add one Credly badge block for each of them.",
        ),
        (
            f'<div data-share-badge-id="{BADGE_ID}" '
            'data-share-badge-host="https://www.credly.com.evil.example"></div>',
            "The embed code gives the badge's host as “https://www.credly.com.evil.example”; "
            "Credly's code says https://www.credly.com.",
        ),
        (
            f"My badge: {BADGE_DIV}</div>",
            "There is text around the embed code (“My badge:”). Paste only the code Credly "
            "gives you.",
        ),
        (
            f"<!DOCTYPE html>{BADGE_DIV}</div>",
            "The embed code contains markup that Credly's code does not have (“html”).",
        ),
        (
            "<" + "div " * 1000 + ">",
            "This is too long to be a Credly badge's address or embed code. Paste only what "
            "Credly gives you.",
        ),
    ],
)
def test_anything_else_is_refused_with_a_message_saying_what_was_wrong(pasted, message):
    assert message_for(pasted).startswith(message)


def test_a_long_paste_is_quoted_short_in_the_message():
    message = message_for("x" * 500)
    assert message.startswith("“" + "x" * 59 + "…” is not a Credly badge id.")
    assert "x" * 60 not in message
