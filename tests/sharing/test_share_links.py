"""Share links, the Mastodon redirect, copy-link and the LinkedIn "Add to profile" helper."""

import datetime
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from bs4 import BeautifulSoup

from badges_cms.sharing.linkedin import AddToLinkedInForm, parse_credly_badge_url
from badges_cms.sharing.share_links import mastodon_instance, share_links

pytestmark = pytest.mark.django_db

TRICKY_TITLES = [
    "Fish & Chips: a badge",
    'The "Quoted" Badge',
    "L'atelier d'été : Ünïcödé 🎓",
    "Percent 100% + plus #hash ?query=yes",
]
BADGE_ID = "6bd1c2d4-9c5a-4c1e-8f4e-1c3b2a1d0e9f"


def share_hrefs(html):
    soup = BeautifulSoup(html, "html.parser")
    return {
        link["class"][1].removeprefix("share__link--"): link["href"]
        for link in soup.select("a.share__link")
    }


def strictly_encoded(url):
    """Every query value percent-encoded: only unreserved characters, % escapes, = and &."""
    query = urlsplit(url).query
    return all(char.isalnum() or char in "-._~%=&" for char in query)


# Share links


@pytest.mark.parametrize("title", TRICKY_TITLES)
def test_every_share_url_is_encoded_and_carries_title_and_address(client, make_badge, title):
    badge = make_badge(title, summary=f"About {title}")
    response = client.get(badge.url)
    page_url = "http://testserver" + badge.url
    hrefs = share_hrefs(response.content.decode())
    assert set(hrefs) == {"linkedin", "facebook", "x", "bluesky", "email"}
    for network, href in hrefs.items():
        assert strictly_encoded(href), (network, href)
    params = {network: parse_qs(urlsplit(href).query) for network, href in hrefs.items()}
    assert hrefs["linkedin"].startswith("https://www.linkedin.com/sharing/share-offsite/?")
    assert params["linkedin"] == {"url": [page_url]}
    assert hrefs["facebook"].startswith("https://www.facebook.com/sharer/sharer.php?")
    assert params["facebook"] == {"u": [page_url]}
    assert hrefs["x"].startswith("https://x.com/intent/post?")
    assert params["x"] == {"text": [title], "url": [page_url]}
    assert hrefs["bluesky"].startswith("https://bsky.app/intent/compose?")
    assert params["bluesky"] == {"text": [f"{title} {page_url}"]}
    assert hrefs["email"].startswith("mailto:?")
    assert params["email"]["subject"] == [title]
    assert params["email"]["body"] == [f"About {title}\r\n\r\n{page_url}"]
    # mailto: bodies read "+" literally, so spaces must be %20, never "+".
    assert "+" not in hrefs["email"] and "%20" in hrefs["email"]


def test_share_links_encode_reserved_characters_in_the_page_address():
    url = "https://badges.example.org/badges/été/?a=1&b=2"
    (linkedin, *_rest) = share_links("T", url)
    assert linkedin.url.endswith(
        "?url=https%3A%2F%2Fbadges.example.org%2Fbadges%2F%C3%A9t%C3%A9%2F%3Fa%3D1%26b%3D2"
    )
    assert unquote(urlsplit(linkedin.url).query.removeprefix("url=")) == url


def test_share_section_uses_no_inline_script_and_a_static_copy_script(client, make_badge):
    badge = make_badge()
    soup = BeautifulSoup(client.get(badge.url).content, "html.parser")
    section = soup.select_one("section.share")
    button = section.select_one("button[data-share-copy]")
    assert button.has_attr("hidden")  # revealed by share.js only where copying works
    field = section.select_one("input[data-share-copy-source]")
    assert field["value"] == "http://testserver" + badge.url and field.has_attr("readonly")
    scripts = soup.find_all("script", src=True)
    assert [tag["src"] for tag in scripts] == ["/static/badges_cms/js/share.js"]
    assert client.get("/static/badges_cms/js/share.js").status_code == 200
    assert not [tag for tag in soup.find_all("script") if tag.string and not tag.get("type")]


# Mastodon


@pytest.mark.parametrize(
    "typed, host",
    [
        ("mastodon.social", "mastodon.social"),
        ("  https://Mastodon.Social/ ", "mastodon.social"),
        ("http://fosstodon.org", "fosstodon.org"),
        ("glammr.us.", "glammr.us"),
        ("mastodon.social/", "mastodon.social"),
        ("mästödon.example", "xn--mstdon-bua0m.example"),
    ],
)
def test_mastodon_instance_accepts_what_people_paste(typed, host):
    assert mastodon_instance(typed) == host


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "localhost",
        "127.0.0.1",
        "[::1]",
        "10.0.0.1",
        "mastodon.social:8080",
        "https://user:pw@mastodon.social/",
        "https://evil.example@mastodon.social/",
        "javascript:alert(1)",
        "ftp://mastodon.social",
        "intranet",
        "printer.local",
        "mastodon social",
        "-bad-.example",
        "a" * 64 + ".example",
        "mastodon.social/\r\nLocation: https://evil.example",
        "exa\x00mple.org",
        # Only a bare host name: no user info, backslash, port, path or IP address, read the
        # way a browser reads an address.
        "mastodon.social\\@evil.example",
        "mastodon.social\\",
        "https://mastodon.social\\@evil.example/",
        "user:pass@mastodon.social",
        "user@mastodon.social",
        "@someone@fosstodon.org",
        "https://mastodon.social/@someone",
        "mastodon.social/share",
        "mastodon.social?x=1",
        "mastodon.social#top",
        "mastodon.social:443",
        "https://mastodon.social:443/",
        "mastodon.social%2Fevil.example",
        "ma%73todon.social",
        "127.1",
        "0x7f.1",
        "2130706433",
        "192.168.0.1.",
        "1.2.3.0x10",
        "[2001:db8::1]",
        "mastodon.social\tevil",
    ],
)
def test_mastodon_instance_refuses_anything_but_a_public_host(typed):
    assert mastodon_instance(typed) is None


def test_mastodon_share_sends_the_visitor_on_to_the_instance_share_form(client, make_badge):
    badge = make_badge("Fish & Chips: Ünïcode")
    response = client.get(badge.url + "share/mastodon/", {"instance": "mastodon.social"})
    # Not a redirect: under the site's CSP (form-action 'self') browsers refuse a form's answer
    # that redirects to another site. The page moves on by an instant refresh, or its link.
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "no-referrer"
    soup = BeautifulSoup(response.content, "html.parser")
    refresh = soup.head.find("meta", attrs={"http-equiv": "refresh"})["content"]
    delay, target = refresh.split("; url=", 1)
    assert delay == "0"
    assert soup.find("a", string="Continue to mastodon.social")["href"] == target
    assert target.startswith("https://mastodon.social/share?text=")
    assert strictly_encoded(target)
    assert parse_qs(urlsplit(target).query) == {
        "text": [f"Fish & Chips: Ünïcode http://testserver{badge.url}"]
    }


def test_mastodon_share_page_needs_no_script_and_no_inline_style(client, make_badge):
    badge = make_badge()
    response = client.get(badge.url + "share/mastodon/", {"instance": "mastodon.social"})
    soup = BeautifulSoup(response.content, "html.parser")
    assert not soup.find_all(style=True)
    for script in soup.find_all("script"):
        assert script.get("src") or script.get("type") == "application/ld+json"


@pytest.mark.parametrize(
    "instance",
    [
        "127.0.0.1",
        "javascript:alert(1)",
        "",
        "<b>x</b>",
        "mastodon.social\\@evil.example",
        "user:pass@mastodon.social",
    ],
)
def test_mastodon_share_answers_a_bad_instance_with_the_form_and_a_message(
    client, make_badge, instance
):
    badge = make_badge()
    response = client.get(badge.url + "share/mastodon/", {"instance": instance})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Enter just the name of your Mastodon server" in html
    assert "without a user name, port, path or IP address" in html
    assert 'aria-invalid="true"' in html
    assert "<b>x</b>" not in html


def test_mastodon_share_of_a_draft_is_not_found(client, make_badge, site_tree):
    draft = make_badge("Draft", publish=False)
    url = f"{site_tree['index'].url}{draft.slug}/share/mastodon/"
    assert client.get(url, {"instance": "mastodon.social"}).status_code == 404


def test_badge_page_offers_the_mastodon_form_without_javascript(client, make_badge):
    badge = make_badge()
    soup = BeautifulSoup(client.get(badge.url).content, "html.parser")
    form = soup.select_one("details.share__mastodon form")
    assert form["method"] == "get"
    assert form["action"] == f"http://testserver{badge.url}share/mastodon/"
    assert form.select_one("input[name=instance]")


# LinkedIn "Add to profile"


@pytest.mark.parametrize(
    "pasted",
    [
        f"https://www.credly.com/badges/{BADGE_ID}",
        f"https://www.credly.com/badges/{BADGE_ID}/",
        f"https://www.credly.com/badges/{BADGE_ID}/public_url",
        f"https://credly.com/badges/{BADGE_ID.upper()}",
        f"  www.credly.com/badges/{BADGE_ID}?source=linkedin#top ",
        f"https://www.credly.com/earner/earned/badge/{BADGE_ID}",
        f"HTTPS://WWW.CREDLY.COM/badges/{BADGE_ID}",
        # The shapes the Credly badge block takes, through the same parser: the older host,
        # plain http (Credly answers it with a redirect), the embed code and the bare id.
        f"https://www.youracclaim.com/badges/{BADGE_ID}",
        f"http://www.credly.com/badges/{BADGE_ID}",
        f'<div data-share-badge-id="{BADGE_ID}" data-share-badge-host="https://www.credly.com">'
        "</div>",
        BADGE_ID,
    ],
)
def test_credly_badge_addresses_are_recognised(pasted):
    assert parse_credly_badge_url(pasted) == BADGE_ID


@pytest.mark.parametrize(
    "pasted",
    [
        "",
        "not a url",
        "javascript:alert(document.cookie)",
        f"ftp://www.credly.com/badges/{BADGE_ID}",
        f"https://www.credly.com.evil.example/badges/{BADGE_ID}",
        f"https://www.credly.com@evil.example/badges/{BADGE_ID}",
        f"https://user@www.credly.com/badges/{BADGE_ID}",
        f"https://www.credly.com:8443/badges/{BADGE_ID}",
        f"https://evil.example/https://www.credly.com/badges/{BADGE_ID}",
        "https://www.credly.com/badges/not-a-uuid",
        f"https://www.credly.com/badges/{BADGE_ID}/extra",
        f"https://www.credly.com/org/ala/badge/{BADGE_ID}",  # a template, not an earner's badge
        f"https://www.credly.com/badges/{BADGE_ID}\n<script>",
        f"https://www.credly.com/badges/{BADGE_ID[:-1]}",
        "https://www.credly.com/badges/" + "a" * 400,
        "https://[::1/badges/x",
    ],
)
def test_anything_else_is_not_a_credly_badge_address(pasted):
    assert parse_credly_badge_url(pasted) is None


def helper_params(url, month="3", year="2017"):
    return {
        "linkedin-credly_url": url,
        "linkedin-issued_month": month,
        "linkedin-issued_year": year,
    }


@pytest.mark.parametrize("title", TRICKY_TITLES)
def test_helper_answers_with_a_linkedin_add_to_profile_link(client, make_badge, issuers, title):
    badge = make_badge(title, launched=datetime.date(2016, 11, 7))
    response = client.get(
        badge.url, helper_params(f"https://www.credly.com/badges/{BADGE_ID}/public_url")
    )
    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    result = soup.select_one(".linkedin-helper__result")
    assert result["role"] == "status"
    href = result.select_one("a")["href"]
    parts = urlsplit(href)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "www.linkedin.com", "/profile/add")
    assert strictly_encoded(href)
    assert parse_qs(parts.query) == {
        "startTask": ["CERTIFICATION_NAME"],
        "name": [title],
        "organizationName": ["Library and Information Technology Association"],
        "issueYear": ["2017"],
        "issueMonth": ["3"],
        "certUrl": [f"https://www.credly.com/badges/{BADGE_ID}"],
        "certId": [BADGE_ID],
    }


@pytest.mark.parametrize(
    "params, message",
    [
        (helper_params("javascript:alert(1)"), "not the address of a badge on Credly"),
        (helper_params('"><script>alert(1)</script>'), "not the address of a badge on Credly"),
        (helper_params("https://www.credly.com.evil.example/badges/x"), "not the address"),
        (helper_params(""), "Paste the address of your badge"),
        (helper_params(f"https://www.credly.com/badges/{BADGE_ID}", month="13"), "month from"),
        (helper_params(f"https://www.credly.com/badges/{BADGE_ID}", month="x"), "month from"),
        (helper_params(f"https://www.credly.com/badges/{BADGE_ID}", year="1999"), "year from"),
        (helper_params(f"https://www.credly.com/badges/{BADGE_ID}", year=""), "Choose the year"),
        ({"linkedin-credly_url": f"https://www.credly.com/badges/{BADGE_ID}"}, "Choose the month"),
    ],
)
def test_helper_answers_hostile_and_malformed_input_with_a_message(
    client, make_badge, params, message
):
    badge = make_badge()
    response = client.get(badge.url, params)
    assert response.status_code == 200
    html = response.content.decode()
    soup = BeautifulSoup(html, "html.parser")
    errors = soup.select_one(".linkedin-helper__errors")
    assert errors["role"] == "alert"
    assert message in errors.get_text()
    assert not soup.select(".linkedin-helper__result")
    assert "linkedin.com/profile/add" not in html
    assert "<script>alert(1)</script>" not in html


def test_helper_refuses_a_date_before_the_badge_existed_or_in_the_future(make_badge):
    badge = make_badge(launched=datetime.date(2016, 11, 7))
    today = datetime.date(2017, 6, 15)
    url = f"https://www.credly.com/badges/{BADGE_ID}"

    def form(month, year):
        data = helper_params(url, month=str(month), year=str(year))
        return AddToLinkedInForm(data, badge=badge, today=today)

    assert form(11, 2016).is_valid() and form(6, 2017).is_valid()
    assert "first issued in November 2016" in str(form(10, 2016).errors)
    assert "cannot be in the future" in str(form(7, 2017).errors)


def test_helper_form_is_unbound_until_submitted(client, make_badge):
    badge = make_badge()
    response = client.get(badge.url, {"q": "unrelated"})
    soup = BeautifulSoup(response.content, "html.parser")
    assert not soup.select(".linkedin-helper__errors, .linkedin-helper__result")
    form = soup.select_one("form.linkedin-helper__form")
    assert form["method"] == "get"
    assert form["action"] == f"http://testserver{badge.url}#add-to-linkedin"
