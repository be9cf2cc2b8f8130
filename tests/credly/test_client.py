"""The Credly client against the stand-in server: real HTTP, scripted faults, no Django."""

import base64
import email.utils
import json
import time

import pytest
import requests

from badges_cms.credly.client import (
    USER_AGENT,
    CredlyAuthError,
    CredlyBadResponse,
    CredlyClient,
    CredlyConfig,
    CredlyConfigError,
    CredlyError,
    CredlyNotFound,
    CredlyUnavailable,
    count_badges_many,
)
from badges_cms.credly.standin import CredlyStandIn, make_template, template_id

EVENT_ID = "d3c2b1a0-9f8e-4d7c-8b6a-5f4e3d2c1b0a"


class FakeTime:
    """Stands in for time.sleep and time.monotonic: records waits, never sleeps."""

    def __init__(self):
        self.now = 0.0
        self.waits = []

    def sleep(self, seconds):
        self.waits.append(seconds)
        self.now += seconds

    def clock(self):
        return self.now


@pytest.fixture
def credly():
    with CredlyStandIn() as standin:
        yield standin


@pytest.fixture
def fake_time():
    return FakeTime()


@pytest.fixture
def make_client(credly, fake_time):
    def make(token=None, organization_id=None, **settings):
        config = CredlyConfig(
            token=token or credly.token,
            organization_id=organization_id or credly.organization_id,
            base_url=credly.base_url,
            **settings,
        )
        return CredlyClient(config, sleep=fake_time.sleep, clock=fake_time.clock)

    return make


def templates_requests(credly):
    return credly.requests_to("/badge_templates")


# Paging and auth


def test_pages_through_three_pages(credly, make_client):
    credly.templates = [make_template(i) for i in range(120)]
    client = make_client()

    ids = [t["id"] for t in client.iter_badge_templates()]

    assert ids == [template_id(i) for i in range(120)]
    logged = templates_requests(credly)
    assert [r.query for r in logged] == [{"page": str(n), "per": "50"} for n in (1, 2, 3)]
    assert all(
        r.path == f"/v1/organizations/{credly.organization_id}/badge_templates" for r in logged
    )
    assert client.requests_made == 3


def test_pages_are_fetched_only_as_consumed(credly, make_client):
    credly.templates = [make_template(i) for i in range(120)]
    pages = make_client().iter_pages(f"/organizations/{credly.organization_id}/badge_templates")

    assert len(next(pages)) == 50
    assert len(templates_requests(credly)) == 1


def test_empty_organization_yields_nothing(credly, make_client):
    assert list(make_client().iter_badge_templates()) == []
    assert len(templates_requests(credly)) == 1


def test_sends_basic_auth_with_token_and_empty_password(credly, make_client):
    credly.templates = [make_template(1)]
    list(make_client().iter_badge_templates())

    assert credly.requests[0].auth_ok is True
    headers = credly.request_headers[0]
    expected = base64.b64encode(f"{credly.token}:".encode()).decode()
    assert headers["Authorization"] == f"Basic {expected}"
    assert headers["Accept"] == "application/json"
    assert headers["User-Agent"] == USER_AGENT
    assert "badges_cms" in USER_AGENT


def test_401_says_token_expired_and_never_shows_it(credly, make_client):
    secret = "wrong-token-s3cr3t-value"
    client = make_client(token=secret)

    with pytest.raises(CredlyAuthError) as caught:
        list(client.iter_badge_templates())

    message = str(caught.value)
    assert caught.value.status == 401
    assert "expired" in message and "180 days" in message
    assert secret not in message and secret not in repr(caught.value)
    assert caught.value.credly_message == "Unauthorized: invalid or expired token"
    assert credly.requests[0].auth_ok is False
    assert client.requests_made == 1  # not retried


def test_403_says_token_lacks_access(credly, make_client):
    credly.add_fault("badge_templates", status=403)
    with pytest.raises(CredlyAuthError, match="no access to organization") as caught:
        list(make_client().iter_badge_templates())
    assert caught.value.status == 403
    assert len(credly.requests) == 1


def test_unknown_organization_is_not_found(credly, make_client):
    other_org = "00000000-0000-4000-8000-000000000000"
    with pytest.raises(CredlyNotFound) as caught:
        list(make_client(organization_id=other_org).iter_badge_templates())
    assert caught.value.status == 404
    assert f"/organizations/{other_org}/badge_templates" in str(caught.value)
    assert other_org in caught.value.credly_message
    assert len(credly.requests) == 1


def test_error_carries_credly_message(credly, make_client):
    body = json.dumps({"data": {"message": "Invalid or missing Badge Template ID: "}})
    credly.add_fault("/badges", status=422, body=body.encode())

    with pytest.raises(CredlyError) as caught:
        make_client().count_badges(template_id(1))

    assert type(caught.value) is CredlyError
    assert caught.value.status == 422
    assert caught.value.credly_message == "Invalid or missing Badge Template ID: "
    assert "Credly said: Invalid or missing Badge Template ID:" in str(caught.value)
    assert len(credly.requests) == 1  # 4xx is not retried


# Retries, timeouts and the deadline


def test_429_retry_after_seconds_is_honoured(credly, make_client, fake_time):
    credly.templates = [make_template(i) for i in range(3)]
    credly.add_fault("badge_templates", status=429, retry_after="7")

    assert len(list(make_client().iter_badge_templates())) == 3
    assert fake_time.waits == [7]
    assert len(templates_requests(credly)) == 2


def test_retry_after_is_capped(credly, make_client, fake_time):
    credly.add_fault("badge_templates", status=429, retry_after="3600")
    list(make_client(retry_after_cap=60).iter_badge_templates())
    assert fake_time.waits == [60]


def test_retry_after_http_date(credly, make_client, fake_time):
    when = email.utils.formatdate(time.time() + 20, usegmt=True)
    credly.add_fault("badge_templates", status=503, retry_after=when)
    list(make_client().iter_badge_templates())
    assert len(fake_time.waits) == 1 and 15 <= fake_time.waits[0] <= 20


def test_503_on_page_two_then_success(credly, make_client, fake_time):
    credly.templates = [make_template(i) for i in range(120)]
    credly.add_fault("badge_templates", page=2, status=503)

    assert len(list(make_client(backoff_base=0.5).iter_badge_templates())) == 120
    pages = [r.query["page"] for r in templates_requests(credly)]
    assert pages == ["1", "2", "2", "3"]
    assert len(fake_time.waits) == 1 and 0 <= fake_time.waits[0] <= 0.5  # full jitter


def test_500_is_retried(credly, make_client):
    credly.add_fault("badge_templates", status=500)
    assert list(make_client().iter_badge_templates()) == []
    assert len(templates_requests(credly)) == 2


def test_503_forever_gives_up_after_max_retries(credly, make_client, fake_time):
    credly.add_fault("badge_templates", status=503, times=None)
    client = make_client(max_retries=3, backoff_base=1, backoff_cap=3)

    with pytest.raises(CredlyUnavailable, match="gave up after 4 attempts") as caught:
        list(client.iter_badge_templates())

    assert caught.value.status == 503
    assert caught.value.credly_message == "Fault 503"
    assert client.requests_made == len(credly.requests) == 4
    assert len(fake_time.waits) == 3
    assert all(0 <= w <= cap for w, cap in zip(fake_time.waits, (1, 2, 3), strict=True))


def test_read_hang_is_cut_by_read_timeout_and_retried(credly, make_client, fake_time):
    credly.templates = [make_template(1)]
    credly.add_fault("badge_templates", delay=2)
    started = time.monotonic()

    assert len(list(make_client(read_timeout=0.3).iter_badge_templates())) == 1

    assert time.monotonic() - started < 1.5
    assert len(templates_requests(credly)) == 2
    assert len(fake_time.waits) == 1


def test_read_hang_forever_is_unavailable(credly, make_client):
    credly.add_fault("badge_templates", delay=2, times=None)
    with pytest.raises(CredlyUnavailable, match="did not answer .* within 0.3s") as caught:
        list(make_client(read_timeout=0.3, max_retries=1).iter_badge_templates())
    assert caught.value.status is None
    assert len(templates_requests(credly)) == 2


def test_dropped_connection_is_retried(credly, make_client):
    credly.add_fault("badge_templates", close=True)
    assert list(make_client().iter_badge_templates()) == []
    assert len(templates_requests(credly)) == 2


def test_unreachable_host_is_unavailable(fake_time):
    with CredlyStandIn() as closed:
        pass  # nothing listens on its port once stopped
    config = CredlyConfig("t0ken", closed.organization_id, base_url=closed.base_url, max_retries=2)
    client = CredlyClient(config, sleep=fake_time.sleep, clock=fake_time.clock)
    host = closed.origin.removeprefix("http://")  # the message names it, and the cause
    with pytest.raises(CredlyUnavailable, match=f"Could not reach {host}: connection refused"):
        list(client.iter_badge_templates())
    assert client.requests_made == 3


def test_wait_past_deadline_gives_up_at_once(credly, make_client, fake_time):
    credly.add_fault("badge_templates", status=429, retry_after="6", times=None)
    client = make_client(deadline=10)

    with pytest.raises(CredlyUnavailable, match="would pass the sync's 10s deadline"):
        list(client.iter_badge_templates())

    assert fake_time.waits == [6]  # the second 6 s wait would end past 10 s
    assert client.requests_made == 2


def test_no_request_once_deadline_has_passed(credly, make_client, fake_time):
    client = make_client(deadline=10)
    fake_time.now = 11
    with pytest.raises(CredlyUnavailable, match="deadline passed"):
        client.get_event(EVENT_ID)
    assert credly.requests == []


def test_timeouts_never_outlast_the_deadline(credly, fake_time):
    class RecordingSession(requests.Session):
        def request(self, *args, **kwargs):
            self.timeouts.append(kwargs["timeout"])
            return super().request(*args, **kwargs)

    session = RecordingSession()
    session.timeouts = []
    config = CredlyConfig(
        credly.token, credly.organization_id, base_url=credly.base_url, deadline=10
    )
    client = CredlyClient(config, session=session, sleep=fake_time.sleep, clock=fake_time.clock)

    list(client.iter_badge_templates())
    fake_time.now = 8
    list(client.iter_badge_templates())

    assert session.timeouts == [(5, 10), (2, 2)]


# Bodies Credly should not send


@pytest.mark.parametrize(
    "body",
    [b"<html><body>Bad gateway</body></html>", b'{"data": [{"id": "4f6c1c1e-8b2a-', b""],
    ids=["not-json", "truncated-json", "empty"],
)
def test_unreadable_body_is_bad_response(credly, make_client, body):
    credly.add_fault("badge_templates", body=body)
    with pytest.raises(CredlyBadResponse, match="not a JSON object"):
        list(make_client().iter_badge_templates())
    assert len(templates_requests(credly)) == 1  # not retried


@pytest.mark.parametrize(
    "body",
    [
        [],
        {"data": {"id": "x"}, "metadata": {"current_page": 1, "total_pages": 1}},
        {"data": []},
        {"data": [], "metadata": {"current_page": 1}},
        {"data": [], "metadata": {"current_page": 1, "total_pages": "1"}},
        {"data": [], "metadata": {"current_page": 2, "total_pages": 3}},
        {"data": ["not a dict"], "metadata": {"current_page": 1, "total_pages": 1}},
        {"data": [{"id": "a"}], "metadata": {"current_page": 1, "total_pages": 0}},
    ],
    ids=[
        "array",
        "data-not-list",
        "no-metadata",
        "no-total-pages",
        "total-pages-str",
        "wrong-page",
        "template-not-dict",
        "past-total-pages",
    ],
)
def test_wrong_shape_is_bad_response(credly, make_client, body):
    credly.add_fault("badge_templates", body=json.dumps(body).encode())
    with pytest.raises(CredlyBadResponse):
        list(make_client().iter_badge_templates())


def test_next_page_on_another_host_is_refused_before_any_request(credly, make_client):
    credly.templates = [make_template(i) for i in range(120)]
    with CredlyStandIn() as elsewhere:
        credly.add_fault(
            "badge_templates", page=1, next_page_url=f"{elsewhere.origin}/api/v1/x?page=2"
        )
        templates = make_client().iter_badge_templates()
        with pytest.raises(CredlyBadResponse, match="another host") as caught:
            next(templates)
        assert elsewhere.requests == []
    assert credly.token not in str(caught.value)
    assert len(credly.requests) == 1


def test_next_page_on_evil_host_is_refused(credly, make_client):
    credly.templates = [make_template(i) for i in range(120)]
    credly.add_fault("badge_templates", next_page_url="http://evil.example/api/v1/o?page=2")
    with pytest.raises(CredlyBadResponse, match="evil.example"):
        list(make_client().iter_badge_templates())
    assert len(credly.requests) == 1


def test_redirect_is_not_followed(credly, make_client):
    with CredlyStandIn() as elsewhere:
        credly.add_fault("badge_templates", status=302, headers={"Location": elsewhere.base_url})
        with pytest.raises(CredlyBadResponse, match="redirected"):
            list(make_client().iter_badge_templates())
        assert elsewhere.requests == []


# Counts, events and templates


def test_count_badges_reads_total_count(credly, make_client):
    tid = template_id(1)
    credly.templates = [make_template(1)]
    credly.accepted_counts = {tid: 137}

    assert make_client().count_badges(tid) == 137

    (logged,) = credly.requests
    assert logged.query == {
        "filter": f"badge_template_id::{tid}|state::accepted",
        "page": "1",
        "per": "1",
    }


# A negative or huge total is a whole number: the sync judges its range (test_sync_faults.py).
@pytest.mark.parametrize("total", ["5", None, True, 1.5])
def test_count_badges_rejects_invalid_total(credly, make_client, total):
    body = {"data": [], "metadata": {"total_count": total}}
    credly.add_fault("/badges", body=json.dumps(body).encode())
    with pytest.raises(CredlyBadResponse, match="total_count"):
        make_client().count_badges(template_id(1))


def test_count_badges_refuses_non_uuid_before_requesting(credly, make_client):
    with pytest.raises(ValueError, match="not a UUID"):
        make_client().count_badges("x|state::pending")
    assert credly.requests == []


def test_count_badges_many_is_bounded(credly, make_client):
    ids = [template_id(i) for i in range(12)]
    credly.accepted_counts = {tid: n for n, tid in enumerate(ids)}
    credly.latency = 0.1

    counts = count_badges_many(make_client(), ids, max_workers=3)

    assert counts == {tid: n for n, tid in enumerate(ids)}
    assert list(counts) == ids
    assert 2 <= credly.max_in_flight <= 3
    assert len(credly.requests) == 12


def test_count_badges_many_raises_first_error(credly, make_client):
    ids = [template_id(i) for i in range(6)]
    credly.accepted_counts = dict.fromkeys(ids, 1)
    credly.add_fault(ids[2], status=404)
    with pytest.raises(CredlyNotFound):
        count_badges_many(make_client(), ids, max_workers=2)


def test_get_event(credly, make_client):
    credly.events[EVENT_ID] = {"id": EVENT_ID, "event_type": "badge.created"}
    assert make_client().get_event(EVENT_ID.upper()) == credly.events[EVENT_ID]
    assert credly.requests[0].path.endswith(f"/events/{EVENT_ID}")


def test_unknown_event_is_not_found(credly, make_client):
    with pytest.raises(CredlyNotFound, match=f"/events/{EVENT_ID}"):
        make_client().get_event(EVENT_ID)


def test_get_badge_template(credly, make_client):
    credly.templates = [make_template(i) for i in range(3)]
    template = make_client().get_badge_template(template_id(2))
    assert template["name"] == "Example Badge 2"


def test_get_event_without_data_object_is_bad_response(credly, make_client):
    credly.add_fault("/events/", body=b'{"data": [], "metadata": null}')
    with pytest.raises(CredlyBadResponse, match="no data object"):
        make_client().get_event(EVENT_ID)


# Settings


@pytest.mark.parametrize(
    "settings",
    [
        {"token": ""},
        {"token": "   "},
        {"token": "to ken"},
        {"organization_id": "my-org"},
        {"base_url": "api.credly.com/v1"},
        {"base_url": "ftp://api.credly.com/v1"},
        {"base_url": "https://user:pw@api.credly.com/v1"},
        {"base_url": "https://api.credly.com:99999/v1"},
        {"token": "tök"},
        {"token": "user:pass"},
        {"read_timeout": 0},
        {"max_retries": -1},
        {"per_page": 0},
        {"max_concurrent_requests": 0},
    ],
)
def test_malformed_settings_are_config_errors(settings):
    values = {"token": "abc", "organization_id": "9f2b6a4e-3c1d-4e5f-8a7b-1c2d3e4f5a6b"}
    with pytest.raises(CredlyConfigError):
        CredlyConfig(**{**values, **settings})


def test_config_normalises_and_hides_token():
    config = CredlyConfig(
        " s3cret\n", "9F2B6A4E-3C1D-4E5F-8A7B-1C2D3E4F5A6B", "https://sandbox-api.credly.com/v1/"
    )
    assert config.token == "s3cret"
    assert config.organization_id == "9f2b6a4e-3c1d-4e5f-8a7b-1c2d3e4f5a6b"
    assert config.base_url == "https://sandbox-api.credly.com/v1"
    assert "s3cret" not in repr(config)
    assert not issubclass(CredlyConfigError, CredlyError)  # exit code 2, not 1


def test_token_echoed_by_credly_is_blanked_out(credly, make_client):
    echo = {"data": {"message": f"Token {credly.token} is not valid"}}
    credly.add_fault("badge_templates", status=401, body=json.dumps(echo).encode())
    with pytest.raises(CredlyAuthError) as caught:
        list(make_client().iter_badge_templates())
    assert credly.token not in str(caught.value)
    assert credly.token not in caught.value.credly_message
    assert "Token [token] is not valid" in str(caught.value)


# Counting accepted badges: many requests at once, and one back-off for all of them


def counting(credly, template):
    """The requests that counted a template's badges (its id is in the filter, not the path)."""
    return [r for r in credly.requests if template in r.query.get("filter", "")]


def test_count_badges_many_keeps_to_the_clients_bound(credly, make_client):
    ids = [template_id(i) for i in range(40)]
    credly.accepted_counts = dict.fromkeys(ids, 1)
    credly.latency = 0.05

    counts = count_badges_many(make_client(max_concurrent_requests=5), ids)

    assert counts == dict.fromkeys(ids, 1)
    assert credly.max_in_flight == 5  # reached, never passed


def test_count_badges_many_runs_sixteen_requests_at_a_time_by_default(credly, make_client):
    """2,000 templates at 30 ms each take a minute one at a time, 15 s four at a time."""
    ids = [template_id(i) for i in range(64)]
    credly.accepted_counts = dict.fromkeys(ids, 2)
    credly.latency = 0.1

    started = time.monotonic()
    assert count_badges_many(make_client(), ids) == dict.fromkeys(ids, 2)

    assert 8 < credly.max_in_flight <= 16
    assert time.monotonic() - started < 64 * 0.1 / 4  # faster than four at a time could be


def test_a_429_to_one_request_holds_back_every_thread(credly):
    """Retry-After is Credly's word for the whole client, not for the one request it answered:
    while it lasts, no thread sends anything, and then they all carry on."""
    ids = [template_id(i) for i in range(200)]
    credly.accepted_counts = {tid: n for n, tid in enumerate(ids)}
    credly.latency = 0.02
    credly.add_fault(ids[6], status=429, retry_after="1")
    answered = []  # when the stand-in answered each of the other requests (time.monotonic)
    credly.add_fault("/badges", times=None, edit=lambda body: answered.append(time.monotonic()))
    refused_at = []
    session = requests.Session()
    session.hooks["response"].append(
        lambda response, **kwargs: (
            refused_at.append(time.monotonic()) if response.status_code == 429 else None
        )
    )
    config = CredlyConfig(credly.token, credly.organization_id, base_url=credly.base_url)
    client = CredlyClient(config, session=session)  # real time: the threads really wait

    counts = count_badges_many(client, ids, max_workers=4)

    assert counts == {tid: n for n, tid in enumerate(ids)}
    assert len(counting(credly, ids[6])) == 2 and len(refused_at) == 1
    # The requests already in flight when the 429 arrived are answered within the latency;
    # nothing else is answered until the second has passed (each thread on its own would
    # have carried on: 3 threads, 20 ms a request, a hundred answers in that time).
    during = [t for t in answered if refused_at[0] + 0.25 < t < refused_at[0] + 0.95]
    assert during == []
    assert max(answered) > refused_at[0] + 1


def test_the_back_off_is_shared_but_each_request_counts_its_own_attempts(credly, make_client):
    ids = [template_id(i) for i in range(3)]
    credly.accepted_counts = dict.fromkeys(ids, 1)
    credly.add_fault(ids[1], status=503, times=None)

    with pytest.raises(CredlyUnavailable, match="gave up after 3 attempts"):
        count_badges_many(make_client(max_retries=2), ids, max_workers=1)

    assert len(counting(credly, ids[1])) == 3
