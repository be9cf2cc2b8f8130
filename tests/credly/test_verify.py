"""credly/verify.py: what the verify page learns of a badge, from the project's stand-in for Credly
over a real socket: each status and state, each shape people paste, Credly's faults (429, 5xx, a
timeout) as "unavailable" with the wait, and the shared cache (which alone keeps anything)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache

from badges_cms import conf
from badges_cms.credly import verify
from badges_cms.credly.client import CredlyClient
from badges_cms.credly.standin import make_template, template_id

TEMPLATE = template_id(10)


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def credly(credly):
    credly.templates = [make_template(10)]
    return credly


def issued(credly, **kwargs):
    return credly.issue_badge(TEMPLATE, **kwargs)["id"]


def badge_requests(credly):
    return credly.requests_to("/badges/") + credly.requests_to("/badge_assertions/")


@pytest.mark.parametrize("state", ["accepted", "pending", "rejected", "revoked"])
def test_our_badge_in_each_state(credly, state):
    badge_id = issued(credly, state=state, earner=("Ana", "Ruiz"))
    answer = verify.verify(badge_id)
    assert answer.status == verify.OURS
    assert answer.state == state
    assert answer.template_id == TEMPLATE
    assert answer.earner == "Ana Ruiz"
    assert answer.expires_at is None and not answer.expired
    assert answer.issued_at.tzinfo is not None
    assert answer.current == (state == "accepted")


def test_a_badge_revoked_after_it_was_issued(credly):
    badge_id = issued(credly)
    credly.revoke(badge_id)
    answer = verify.verify(badge_id)
    assert (answer.status, answer.state, answer.current) == (verify.OURS, "revoked", False)


def test_an_expired_badge_and_one_that_expires_later(credly):
    past = datetime.now(UTC) - timedelta(days=3)
    expired = verify.verify(issued(credly, expires_at=past))
    assert expired.expired and not expired.current
    assert abs(expired.expires_at - past) < timedelta(seconds=1)
    later = verify.verify(issued(credly, expires_at=datetime.now(UTC) + timedelta(days=300)))
    assert not later.expired and later.current


def test_the_earner_is_named_only_where_the_badge_is_public(credly):
    answer = verify.verify(issued(credly, public=False, earner=("Private", "Person")))
    assert answer.status == verify.OURS
    assert answer.earner is None
    assert "Private" not in str(cache.get(verify.CACHE_PREFIX + answer.badge_id))


def test_another_organizations_badge_is_not_ours(credly):
    badge_id = credly.issue_elsewhere()
    answer = verify.verify(badge_id)
    assert answer.status == verify.NOT_OURS
    assert answer.state is None and answer.earner is None
    # Our organization's endpoint said 404; the public assertion said Credly knows the badge.
    assert len(credly.requests_to(f"/badges/{badge_id}")) == 1
    assert len(credly.requests_to(f"/badge_assertions/{badge_id}")) == 1


def test_an_id_credly_does_not_know_is_unknown(credly):
    answer = verify.verify("61842971-ed83-498b-bf71-e0af10ad4648")
    assert answer.status == verify.UNKNOWN


@pytest.mark.parametrize(
    "shape",
    [
        "https://www.credly.com/badges/{id}",
        "https://www.credly.com/badges/{id}/public_url",
        "https://credly.com/badges/{id}/",
        "www.credly.com/badges/{id}",
        "https://www.youracclaim.com/badges/{id}/public_url",
        "{id}",
        "  {ID}  ",
        '<div data-iframe-width="150" data-iframe-height="270" data-share-badge-id="{id}" '
        'data-share-badge-host="https://www.credly.com"></div><script type="text/javascript" '
        'async src="//cdn.credly.com/assets/utilities/embed.js"></script>',
    ],
)
def test_every_shape_people_paste(credly, shape):
    badge_id = issued(credly)
    answer = verify.verify(shape.format(id=badge_id, ID=badge_id.upper()))
    assert (answer.status, answer.badge_id) == (verify.OURS, badge_id)


@pytest.mark.parametrize(
    "pasted, code",
    [
        (
            "https://www.credly.com.evil.example/badges/61842971-ed83-498b-bf71-e0af10ad4648",
            "bad_host",
        ),
        ("https://example.org/badges/61842971-ed83-498b-bf71-e0af10ad4648", "bad_host"),
        ("https://www.credly.com/org/example/badge/some-badge", "not_a_badge_page"),
        ("not a badge at all", "bad_id"),
        ("61842971-ed83-498b", "bad_id"),
        ("<img src=x onerror=alert(1)>", "bad_element"),
        ("", "empty"),
    ],
)
def test_what_is_no_credly_badge_is_invalid_without_asking_credly(credly, pasted, code):
    answer = verify.verify(pasted)
    assert (answer.status, answer.error_code) == (verify.INVALID, code)
    assert answer.error
    assert credly.requests == []


def test_a_429_is_unavailable_with_credlys_wait_and_holds_every_check_back(credly):
    badge_id = issued(credly)
    credly.add_fault(f"/badges/{badge_id}", status=429, retry_after="300", times=None)
    answer = verify.verify(badge_id)
    assert (answer.status, answer.retry_after, answer.retry_after_minutes) == (
        verify.UNAVAILABLE,
        300,
        5,
    )
    asked = len(credly.requests)
    assert asked == 1  # a wait past the cap is not waited for: the visitor is told instead
    # Within Credly's wait no check asks it again, for this badge or any other.
    again = verify.verify(issued(credly))
    assert again.status == verify.UNAVAILABLE and 0 < again.retry_after <= 300
    assert len(credly.requests) == asked


def test_a_short_retry_after_is_waited_for_once(credly):
    badge_id = issued(credly)
    credly.add_fault(f"/badges/{badge_id}", status=429, retry_after="0", times=1)
    assert verify.verify(badge_id).status == verify.OURS
    assert len(credly.requests_to(f"/badges/{badge_id}")) == 2


@pytest.mark.parametrize("status", [500, 502, 503])
def test_credly_failing_is_unavailable_never_not_ours(credly, status):
    badge_id = issued(credly)
    credly.add_fault(f"/badges/{badge_id}", status=status, times=None)
    answer = verify.verify(badge_id)
    assert answer.status == verify.UNAVAILABLE
    assert answer.retry_after == verify.DEFAULT_RETRY_AFTER
    assert cache.get(verify.CACHE_PREFIX + badge_id) is None  # an outage is never cached


@pytest.mark.parametrize(
    "body",
    [b"<html>Service temporarily unavailable</html>", b'{"data": []}', b'{"data": "x"}', b"[]"],
    ids=["html", "data-is-a-list", "data-is-text", "not-an-object"],
)
def test_a_malformed_answer_is_unavailable_never_ours_or_not(credly, body):
    badge_id = issued(credly)
    credly.add_fault(f"/badges/{badge_id}", status=200, body=body, times=None)
    answer = verify.verify(badge_id)
    assert answer.status == verify.UNAVAILABLE
    assert cache.get(verify.CACHE_PREFIX + badge_id) is None


def test_a_failing_assertion_lookup_is_unavailable_not_unknown(credly):
    badge_id = credly.issue_elsewhere()
    credly.add_fault("/badge_assertions/", status=503, times=None)
    assert verify.verify(badge_id).status == verify.UNAVAILABLE


def test_a_timeout_is_unavailable(credly, settings):
    settings.CREDLY_CLIENT_OPTIONS = {**settings.CREDLY_CLIENT_OPTIONS, "read_timeout": 0.2}
    badge_id = issued(credly)
    credly.add_fault(f"/badges/{badge_id}", delay=1, times=None)
    answer = verify.verify(badge_id)
    assert answer.status == verify.UNAVAILABLE


def test_credly_unreachable_is_unavailable(credly):
    badge_id = issued(credly)
    credly.stop()
    assert verify.verify(badge_id).status == verify.UNAVAILABLE


def test_a_refused_token_is_unavailable(credly, settings):
    settings.CREDLY_API_TOKEN = "not-the-token"
    assert verify.verify(issued(credly)).status == verify.UNAVAILABLE


def test_credly_not_configured_is_unavailable(settings):
    settings.CREDLY_API_TOKEN = ""
    answer = verify.verify("61842971-ed83-498b-bf71-e0af10ad4648")
    assert answer.status == verify.UNAVAILABLE


def test_a_second_check_within_the_window_is_answered_from_the_shared_cache(credly, settings):
    settings.BADGES_CMS_VERIFY_CACHE_SECONDS = 900
    badge_id = issued(credly, earner=("Ana", "Ruiz"))
    first = verify.verify(f"https://www.credly.com/badges/{badge_id}")
    asked = len(badge_requests(credly))
    second = verify.verify(badge_id)
    assert len(badge_requests(credly)) == asked == 1
    assert second == first
    # Only the fields the answer shows are kept.
    kept = cache.get(verify.CACHE_PREFIX + badge_id)
    assert set(kept) == {
        "status",
        "badge_id",
        "state",
        "issued_at",
        "expires_at",
        "earner",
        "template_id",
        "retry_after",
        "error_code",
        "error",
    }


def test_not_ours_and_unknown_are_cached_too(credly):
    elsewhere = credly.issue_elsewhere()
    unknown = "61842971-ed83-498b-bf71-e0af10ad4648"
    verify.verify(elsewhere), verify.verify(unknown)
    asked = len(credly.requests)
    assert verify.verify(elsewhere).status == verify.NOT_OURS
    assert verify.verify(unknown).status == verify.UNKNOWN
    assert len(credly.requests) == asked


def test_a_cache_time_of_zero_asks_credly_every_time(credly, settings):
    settings.BADGES_CMS_VERIFY_CACHE_SECONDS = 0
    badge_id = issued(credly)
    verify.verify(badge_id), verify.verify(badge_id)
    assert len(credly.requests_to(f"/badges/{badge_id}")) == 2


def test_an_expiry_passing_while_cached_is_said(credly):
    badge_id = issued(credly, expires_at=datetime.now(UTC) + timedelta(seconds=1))
    assert not verify.verify(badge_id).expired
    kept = cache.get(verify.CACHE_PREFIX + badge_id)
    kept["expires_at"] = (datetime.now(UTC) - timedelta(seconds=1)).isoformat()
    cache.set(verify.CACHE_PREFIX + badge_id, kept)
    assert verify.verify(badge_id).expired


def test_the_client_asks_for_one_badge_with_our_token(credly):
    badge_id = issued(credly)
    client = CredlyClient(conf.credly_config())
    badge = client.get_badge(badge_id.upper())
    assert badge["id"] == badge_id
    (request,) = credly.requests_to(f"/badges/{badge_id}")
    assert request.auth_ok
    assert request.path == f"/v1/organizations/{credly.organization_id}/badges/{badge_id}"
    assert client.badge_is_known(badge_id) and client.badge_is_known(credly.issue_elsewhere())
    assert not client.badge_is_known("61842971-ed83-498b-bf71-e0af10ad4648")
    with pytest.raises(ValueError):
        client.get_badge("../badge_templates")
