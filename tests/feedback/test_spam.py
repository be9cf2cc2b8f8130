"""The rate limit per client, the client address behind proxies, and that no address is stored."""

import ipaddress
import json
import time

import pytest
from django.db import connection
from django.test import RequestFactory

from badges_cms.feedback.checks import check_feedback_settings
from badges_cms.feedback.clients import client_address, client_key
from badges_cms.feedback.models import BadgeFeedbackSubmission
from tests.factories import CLIENT_IP

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.2"


@pytest.fixture
def small_limit(settings):
    settings.BADGES_FEEDBACK_RATE_LIMIT = 3
    settings.BADGES_FEEDBACK_RATE_WINDOW = 3600
    return 3


def test_the_rate_limit_refuses_more_than_the_allowance_without_storing(post, answers, small_limit):
    for _ in range(small_limit):
        assert post(answers()).status_code == 200
    assert BadgeFeedbackSubmission.objects.count() == small_limit

    response = post(answers(how_did_you_use_it="One more time"))
    assert response.status_code == 429
    assert response["Retry-After"] == "3600"
    html = response.content.decode()
    assert "were not saved" in html and "60 minutes" in html
    assert "One more time" in html  # the visitor's answers are shown again, not lost
    assert BadgeFeedbackSubmission.objects.count() == small_limit


def test_the_limit_is_per_client(post, answers, small_limit):
    for _ in range(small_limit):
        post(answers())
    assert post(answers()).status_code == 429
    assert post(answers(), REMOTE_ADDR="198.51.100.20").status_code == 200


def test_a_form_sent_back_for_a_correction_does_not_count(post, answers, small_limit):
    for _ in range(small_limit + 2):
        assert post(answers(consent=None)).status_code == 200  # refused: no consent
    for _ in range(small_limit):
        assert post(answers()).status_code == 200
    assert BadgeFeedbackSubmission.objects.count() == small_limit


def test_honeypot_hits_count_against_the_limit(post, answers, small_limit):
    for _ in range(small_limit):
        assert post(answers(website="spam")).status_code == 400
    assert post(answers()).status_code == 429
    assert not BadgeFeedbackSubmission.objects.exists()


def test_the_window_ends(post, answers, small_limit, settings):
    settings.BADGES_FEEDBACK_RATE_WINDOW = 1
    for _ in range(small_limit):
        post(answers())
    assert post(answers()).status_code == 429
    time.sleep(1.2)
    assert post(answers()).status_code == 200


def test_the_forwarded_header_is_ignored_unless_the_proxy_is_trusted(
    post, answers, small_limit, settings
):
    settings.BADGES_FEEDBACK_TRUSTED_PROXIES = []
    # Without trusted proxies, changing X-Forwarded-For does not give a fresh allowance.
    for number in range(small_limit):
        post(answers(), REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"192.0.2.{number}")
    response = post(answers(), REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="192.0.2.99")
    assert response.status_code == 429

    # Behind a trusted proxy each client has its own allowance.
    settings.BADGES_FEEDBACK_TRUSTED_PROXIES = ["10.0.0.0/24"]
    response = post(answers(), REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="192.0.2.99")
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("trusted", "remote", "forwarded", "expected"),
    [
        ([], "198.51.100.1", "192.0.2.1", "198.51.100.1"),
        (["10.0.0.2"], "198.51.100.1", "192.0.2.1", "198.51.100.1"),  # not from the proxy
        (["10.0.0.2"], "10.0.0.2", "192.0.2.1", "192.0.2.1"),
        # The client wrote the left-most entries; the proxy appended the address it saw.
        (["10.0.0.2"], "10.0.0.2", "1.1.1.1, 192.0.2.1", "192.0.2.1"),
        # Two proxies in a row, both trusted: the first untrusted from the right is the client.
        (["10.0.0.0/8"], "10.0.0.2", "192.0.2.1, 10.0.0.9", "192.0.2.1"),
        (["10.0.0.2"], "10.0.0.2", "192.0.2.1:5123", "192.0.2.1"),
        (["10.0.0.2"], "10.0.0.2", "[2001:db8::1]:443", "2001:db8::1"),
        (["10.0.0.2"], "10.0.0.2", "not-an-address", "10.0.0.2"),
        (["10.0.0.2"], "10.0.0.2", "", "10.0.0.2"),
        ([], "::ffff:198.51.100.1", "", "198.51.100.1"),
    ],
)
def test_client_address(settings, trusted, remote, forwarded, expected):
    settings.BADGES_FEEDBACK_TRUSTED_PROXIES = trusted
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == ipaddress.ip_address(expected)


def test_the_client_key_is_a_keyed_hash_not_the_address(settings):
    def key(address, secret="one-" * 12):
        settings.SECRET_KEY = secret
        return client_key(RequestFactory().get("/", REMOTE_ADDR=address))

    assert key("192.0.2.1") == key("192.0.2.1")
    assert key("192.0.2.1") != key("192.0.2.2")
    assert key("192.0.2.1") != key("192.0.2.1", secret="two-" * 12)
    assert "192.0.2.1" not in key("192.0.2.1")
    # One IPv6 client can pick any address in its /64: they all count as one.
    assert key("2001:db8:0:1::1") == key("2001:db8:0:1:ffff::2")
    assert key("2001:db8:0:1::1") != key("2001:db8:0:2::1")


def test_no_ip_address_is_stored_anywhere(post, answers, settings):
    settings.BADGES_FEEDBACK_TRUSTED_PROXIES = [PROXY]
    forwarded_ip = "192.0.2.123"
    post(answers(), REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded_ip)
    post(answers(email="ann@example.org"))
    assert BadgeFeedbackSubmission.objects.count() == 2

    stored = json.dumps(list(BadgeFeedbackSubmission.objects.values("form_data")))
    for address in (forwarded_ip, PROXY, CLIENT_IP):
        assert address not in stored
    # Nor in any other table: dump the whole database and search it.
    dump = _dump_database()
    for address in (forwarded_ip, CLIENT_IP):
        assert address not in dump, address


def _dump_database():
    """Every row of every table, as text."""
    rows = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            rows.append(repr(cursor.fetchall()))
    return "\n".join(rows)


def test_settings_are_checked(settings):
    assert check_feedback_settings() == []
    settings.BADGES_FEEDBACK_TRUSTED_PROXIES = ["10.0.0.2", "proxy.internal"]
    settings.BADGES_FEEDBACK_RETENTION_DAYS = 0
    ids = sorted(error.id for error in check_feedback_settings())
    assert ids == ["badges_feedback.E001", "badges_feedback.E002"]
    settings.BADGES_FEEDBACK_TRUSTED_PROXIES = "10.0.0.2"  # a string, not a list
    assert "badges_feedback.E001" in [error.id for error in check_feedback_settings()]
