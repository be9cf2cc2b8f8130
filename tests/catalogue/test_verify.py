"""The verify page, ``<index>/verify/?badge=...``: its HTML and JSON answers for every status and
state, against the project's stand-in for Credly; the rate limit, the headers that keep answers
out of shared caches and search engines, nothing written to the database, and the links to it
from badge pages, the footer and Credly embed blocks."""

from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import pytest
from bs4 import BeautifulSoup
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from badges_cms.credly.standin import make_template, template_id

pytestmark = pytest.mark.django_db

TEMPLATE = template_id(10)
JSON = {"HTTP_ACCEPT": "application/json"}
UNKNOWN_ID = "61842971-ed83-498b-bf71-e0af10ad4648"


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def standin(credly):
    credly.templates = [make_template(10)]
    return credly


@pytest.fixture
def badge(make_badge):
    return make_badge("Beyond Web Page Analytics", credly_template_id=TEMPLATE)


@pytest.fixture
def verify_url(site_tree):
    return site_tree["index"].url + "verify/"


def check(client, verify_url, pasted, json=False, **headers):
    query = urlencode({"badge": pasted})
    return client.get(f"{verify_url}?{query}", **({**JSON, **headers} if json else headers))


def soup_of(response):
    return BeautifulSoup(response.content, "html.parser")


def answer_text(response):
    section = soup_of(response).select_one(".verify-answer")
    return " ".join(section.get_text(" ").split()) if section else ""


def test_the_form_alone_asks_credly_nothing(client, standin, verify_url):
    response = client.get(verify_url)
    assert response.status_code == 200
    soup = soup_of(response)
    form = soup.select_one("form.verify-form")
    assert form["method"] == "get"
    textarea = form.select_one("textarea[name=badge]")
    assert soup.select_one(f"label[for={textarea['id']}]")
    assert soup.select_one(".verify-answer") is None
    assert standin.requests == []


def test_our_current_badge_in_html(client, standin, badge, verify_url):
    badge_id = standin.issue_badge(TEMPLATE, earner=("Ana", "Ruiz"))["id"]
    response = check(client, verify_url, f"https://www.credly.com/badges/{badge_id}")
    assert response.status_code == 200
    text = answer_text(response)
    assert "genuine badge issued by us, and it is current" in text
    assert "Accepted" in text and "Ana Ruiz" in text and "Never" in text
    section = soup_of(response).select_one(".verify-answer")
    assert section["role"] == "status"
    hrefs = [a["href"] for a in section.select("a")]
    assert badge.url in hrefs
    assert badge.url + "badgeclass.json" in hrefs and badge.url + "achievement.json" in hrefs
    assert f"https://www.credly.com/badges/{badge_id}" in hrefs
    # The form keeps what was pasted, so the answer can be checked against it.
    textarea = soup_of(response).select_one("textarea[name=badge]")
    assert textarea.get_text() == f"https://www.credly.com/badges/{badge_id}"


def test_our_badge_in_json(client, standin, badge, verify_url):
    issued = datetime(2026, 3, 1, 17, 0, tzinfo=UTC)
    expires = datetime.now(UTC) + timedelta(days=365)
    badge_id = standin.issue_badge(TEMPLATE, now=issued, expires_at=expires)["id"]
    response = check(client, verify_url, badge_id, json=True)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["status"] == "ours"
    assert (body["state"], body["expired"], body["current"]) == ("accepted", False, True)
    assert datetime.fromisoformat(body["issued_at"]) == issued
    assert abs(datetime.fromisoformat(body["expires_at"]) - expires) < timedelta(seconds=1)
    assert body["badge"] == {
        "title": "Beyond Web Page Analytics",
        "url": f"http://testserver{badge.url}",
        "badgeclass": f"http://testserver{badge.url}badgeclass.json",
        "achievement": f"http://testserver{badge.url}achievement.json",
    }
    assert body["earner"] == "Sam Earner"
    assert body["badge_id"] == badge_id
    assert body["message"]


@pytest.mark.parametrize(
    "state, words",
    [
        ("pending", "its earner has not accepted it yet"),
        ("rejected", "its earner declined it"),
        ("revoked", "revoked: it is no longer valid"),
    ],
)
def test_each_state_in_plain_words(client, standin, badge, verify_url, state, words):
    badge_id = standin.issue_badge(TEMPLATE, state=state)["id"]
    assert words in answer_text(check(client, verify_url, badge_id))
    body = check(client, verify_url, badge_id, json=True).json()
    assert (body["status"], body["state"], body["current"]) == ("ours", state, False)


def test_an_expired_badge_is_said_plainly(client, standin, badge, verify_url):
    past = datetime.now(UTC) - timedelta(days=2)
    badge_id = standin.issue_badge(TEMPLATE, expires_at=past)["id"]
    text = answer_text(check(client, verify_url, badge_id))
    assert "it has expired" in text and "Expired on" in text
    body = check(client, verify_url, badge_id, json=True).json()
    assert (body["status"], body["state"], body["expired"]) == ("ours", "accepted", True)


def test_a_private_earner_is_not_named(client, standin, badge, verify_url):
    badge_id = standin.issue_badge(TEMPLATE, public=False, earner=("Private", "Person"))["id"]
    response = check(client, verify_url, badge_id)
    assert "Private" not in response.content.decode()
    assert "keeps it private" in answer_text(response)
    assert check(client, verify_url, badge_id, json=True).json()["earner"] is None


def test_ours_without_a_page_anyone_may_see(client, standin, make_badge, verify_url):
    make_badge("Draft badge", credly_template_id=TEMPLATE, publish=False)
    badge_id = standin.issue_badge(TEMPLATE)["id"]
    body = check(client, verify_url, badge_id, json=True).json()
    assert (body["status"], body["badge"]) == ("ours", None)
    assert "Draft badge" not in check(client, verify_url, badge_id).content.decode()


def test_another_organizations_badge(client, standin, badge, verify_url):
    badge_id = standin.issue_elsewhere()
    response = check(client, verify_url, badge_id)
    assert response.status_code == 200
    assert "another organization issued it, not us" in answer_text(response)
    body = check(client, verify_url, badge_id, json=True).json()
    assert (body["status"], body["state"], body["badge"], body["earner"]) == (
        "not_ours",
        None,
        None,
        None,
    )


def test_an_id_credly_does_not_know(client, standin, verify_url):
    response = check(client, verify_url, UNKNOWN_ID)
    assert response.status_code == 200
    assert "Credly knows no badge with this id" in answer_text(response)
    assert check(client, verify_url, UNKNOWN_ID, json=True).json()["status"] == "unknown"


@pytest.mark.parametrize(
    "shape",
    [
        "https://www.credly.com/badges/{id}",
        "https://www.credly.com/badges/{id}/public_url",
        "https://www.youracclaim.com/badges/{id}",
        '<div data-iframe-width="150" data-iframe-height="270" data-share-badge-id="{id}" '
        'data-share-badge-host="https://www.credly.com"></div>'
        '<script type="text/javascript" async src="//cdn.credly.com/assets/utilities/embed.js">'
        "</script>",
        "{id}",
    ],
)
def test_each_shape_people_paste(client, standin, badge, verify_url, shape):
    badge_id = standin.issue_badge(TEMPLATE)["id"]
    body = check(client, verify_url, shape.format(id=badge_id), json=True).json()
    assert (body["status"], body["badge_id"]) == ("ours", badge_id)


@pytest.mark.parametrize(
    "pasted, code",
    [
        (f"https://www.example.org/badges/{UNKNOWN_ID}", "bad_host"),
        (f"https://www.credly.com.evil.example/badges/{UNKNOWN_ID}", "bad_host"),
        ("hello there", "bad_id"),
        ("<b>bold</b>", "bad_element"),
        ("", "empty"),
    ],
)
def test_what_is_no_credly_badge_is_invalid_with_a_400(client, standin, verify_url, pasted, code):
    response = check(client, verify_url, pasted, json=True)
    assert response.status_code == 400
    body = response.json()
    assert (body["status"], body["error"]["code"]) == ("invalid", code)
    assert body["badge"] is None and body["state"] is None
    page = check(client, verify_url, pasted)
    assert page.status_code == 400
    soup = soup_of(page)
    assert soup.select_one(".verify-answer")["role"] == "alert"
    textarea = soup.select_one("textarea[name=badge]")
    assert textarea["aria-invalid"] == "true"
    assert "verify-error" in textarea["aria-describedby"] or not body["error"]["message"]
    assert textarea.get_text() == pasted
    assert standin.requests == []


def test_json_without_a_badge_is_invalid(client, standin, verify_url):
    response = client.get(verify_url, **JSON)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "empty"


def test_credly_rate_limiting_us_is_unavailable_with_its_wait(client, standin, verify_url):
    badge_id = standin.issue_badge(TEMPLATE)["id"]
    standin.add_fault("/badges/", status=429, retry_after="600", times=None)
    response = check(client, verify_url, badge_id)
    assert response.status_code == 503
    assert response["Retry-After"] == "600"
    assert "can't check this right now" in answer_text(response)
    assert "try again in 10 minutes" in answer_text(response).lower()
    body = check(client, verify_url, badge_id, json=True).json()
    assert body["status"] == "unavailable" and 0 < body["retry_after"] <= 600
    assert body["state"] is None and body["badge"] is None


@pytest.mark.parametrize("fault", [{"status": 500}, {"status": 503}, {"delay": 1}])
def test_credly_failing_or_slow_is_unavailable(client, standin, settings, verify_url, fault):
    settings.CREDLY_CLIENT_OPTIONS = {**settings.CREDLY_CLIENT_OPTIONS, "read_timeout": 0.2}
    badge_id = standin.issue_badge(TEMPLATE)["id"]
    standin.add_fault("/badges/", times=None, **fault)
    response = check(client, verify_url, badge_id, json=True)
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert response.json()["status"] == "unavailable"
    assert "try again in 1 minute" in response.json()["message"].lower()


def test_a_second_check_is_answered_from_the_cache_and_nothing_is_written(
    client, standin, badge, verify_url
):
    badge_id = standin.issue_badge(TEMPLATE)["id"]
    with CaptureQueriesContext(connection) as queries:
        first = check(client, verify_url, badge_id, json=True).json()
        asked = len(standin.requests)
        second = check(client, verify_url, f"https://www.credly.com/badges/{badge_id}")
        third = check(client, verify_url, badge_id, json=True).json()
    assert len(standin.requests) == asked == 1
    assert first == third
    assert "genuine badge" in answer_text(second)
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    assert writes == []


def test_the_rate_limit_answers_429_and_keeps_the_form(client, standin, settings, verify_url):
    settings.BADGES_CMS_VERIFY_RATE_LIMIT = 2
    settings.BADGES_CMS_VERIFY_RATE_WINDOW = 300
    assert check(client, verify_url, UNKNOWN_ID).status_code == 200
    assert check(client, verify_url, UNKNOWN_ID, json=True).status_code == 200
    asked = len(standin.requests)
    refused = check(client, verify_url, f"https://www.credly.com/badges/{UNKNOWN_ID}")
    assert refused.status_code == 429
    assert refused["Retry-After"] == "300"
    assert "try again in 5 minutes" in answer_text(refused).lower()
    textarea = soup_of(refused).select_one("textarea[name=badge]")
    assert textarea.get_text() == f"https://www.credly.com/badges/{UNKNOWN_ID}"
    body = check(client, verify_url, UNKNOWN_ID, json=True).json()
    assert body["status"] == "rate_limited"
    assert len(standin.requests) == asked
    # Another client still gets its answer.
    other = check(client, verify_url, UNKNOWN_ID, REMOTE_ADDR="192.0.2.44")
    assert other.status_code == 200


@pytest.mark.parametrize("json", [False, True])
def test_answers_are_private_no_store_and_noindex(client, standin, badge, verify_url, json):
    badge_id = standin.issue_badge(TEMPLATE)["id"]
    for response in (client.get(verify_url), check(client, verify_url, badge_id, json=json)):
        cache_control = {d.strip() for d in response["Cache-Control"].split(",")}
        assert {"private", "no-store"} <= cache_control
        assert "public" not in cache_control and not any(
            d.startswith("s-maxage") for d in cache_control
        )
        assert response["X-Robots-Tag"] == "noindex"
        assert "Accept" in response["Vary"]
    html = soup_of(client.get(verify_url))
    assert html.select_one("meta[name=robots]")["content"] == "noindex"
    assert html.select_one("link[rel=canonical]")["href"] == f"http://testserver{verify_url}"


def test_a_verify_link_on_badge_pages_in_the_footer_and_beside_embeds(
    client, site_tree, make_badge, verify_url
):
    index = site_tree["index"]
    index.show_in_menus = True
    index.save_revision().publish()
    embed_id = "90ea8865-ec5d-44cd-b8d3-aacd4ef9502c"
    badge = make_badge(
        body=[{"type": "credly_badge", "value": {"badge_id": embed_id, "size": "standard"}}]
    )
    soup = soup_of(client.get(badge.url))
    article_links = [a["href"] for a in soup.select("article a")]
    assert verify_url in article_links  # the badge page's own link
    embed = soup.select_one(".credly-badge__verify")
    assert embed["href"] == f"{verify_url}?badge={embed_id}"
    assert embed.get_text(" ", strip=True).startswith("Verify a badge")
    for path in ("/", index.url, badge.url):
        footer = soup_of(client.get(path)).select_one("footer")
        link = footer.find("a", string="Verify a badge")
        assert link is not None and link["href"] == verify_url, path


def test_an_embed_on_another_page_links_to_the_sites_verify_page(client, site_tree, verify_url):
    home = site_tree["home"]
    embed_id = "90ea8865-ec5d-44cd-b8d3-aacd4ef9502c"
    home.body = [{"type": "credly_badge", "value": {"badge_id": embed_id, "size": "standard"}}]
    home.save_revision().publish()
    embed = soup_of(client.get("/")).select_one(".credly-badge__verify")
    assert embed["href"] == f"{verify_url}?badge={embed_id}"
