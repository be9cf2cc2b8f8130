"""Redis away, site up: with REDIS_URL naming a Redis that does not answer, every page answers as
it would without a cache, each request waits for at most one connect attempt, and the outage is
logged once, not once per cache call."""

import logging
import socket
import threading

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import override_settings

from alasite import cache_pool
from alasite.settings.base import redis_cache
from badges_cms.feedback import clients as feedback_clients

pytestmark = pytest.mark.django_db


class SilentRedis:
    """A TCP server on 127.0.0.1 that accepts connections and never answers: a Redis that
    hangs. Counts the connections made to it."""

    def __init__(self):
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.port = self.socket.getsockname()[1]
        self.connections = []
        self.thread = threading.Thread(target=self.accept, daemon=True)
        self.thread.start()

    def accept(self):
        while True:
            try:
                connection, _ = self.socket.accept()
            except OSError:
                return
            self.connections.append(connection)

    def close(self):
        for connection in self.connections:
            connection.close()
        self.socket.close()


def closed_port():
    probe = socket.create_server(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return port


@pytest.fixture
def fresh_breaker(monkeypatch):
    monkeypatch.setattr(feedback_clients, "_outage_logged_at", None)
    cache_pool.breaker.reset()
    yield cache_pool.breaker
    cache_pool.breaker.reset()


@pytest.fixture(params=["closed port", "silent server"])
def redis_down(request, fresh_breaker):
    """The default cache pointed at a Redis that is not there (nothing listens) or hangs."""
    server = None
    if request.param == "closed port":
        port = closed_port()
    else:
        server = SilentRedis()
        port = server.port
    with override_settings(CACHES={"default": redis_cache(f"redis://127.0.0.1:{port}/0")}):
        yield server
    if server is not None:
        server.close()


@pytest.fixture
def site(make_badge, issuers, feedback_page):
    badge = make_badge("Beyond Web Page Analytics")
    return {"badge": badge, "index": badge.get_parent().specific, "feedback": feedback_page}


def public_addresses(site):
    badge, index = site["badge"], site["index"]
    return [
        "/",
        index.url,
        index.url + "?issuer=lita",
        badge.url,
        badge.url + "badgeclass.json",
        badge.url + "achievement.json",
        index.url + "issuers/lita.json",
        index.url + "feed/",
        "/sitemap.xml",
        "/api/v2/pages/?type=badges_cms.BadgePage&fields=issued_count",
        site["feedback"].url,
    ]


def test_every_public_address_answers_while_redis_is_down(client, site, redis_down, caplog):
    caplog.set_level(logging.WARNING, logger="alasite.cache")
    for address in public_addresses(site):
        response = client.get(address)
        assert response.status_code == 200, address
    assert b"Beyond Web Page Analytics" in client.get(site["badge"].url).content
    # One failed connection opened the breaker; every later cache call failed at once.
    if redis_down is not None:
        assert len(redis_down.connections) == 1
    outage_lines = [r for r in caplog.records if r.name == "alasite.cache"]
    assert len(outage_lines) == 1
    assert "not answering" in outage_lines[0].getMessage()


def test_the_admin_works_while_redis_is_down(client, site, redis_down):
    user = get_user_model().objects.create_superuser("root", "root@example.org", "pw")
    client.force_login(user)
    assert client.get("/admin/").status_code == 200
    assert client.get(f"/admin/pages/{site['badge'].pk}/edit/").status_code == 200
    assert client.get(f"/admin/pages/{site['index'].pk}/").status_code == 200


def test_feedback_is_taken_without_a_rate_limit_and_the_outage_logged(
    client, site, redis_down, caplog
):
    caplog.set_level(logging.WARNING, logger="badges_cms.feedback")
    page = site["feedback"]
    form = {
        "where_have_you_shared_the_badge": ["LinkedIn"],
        "how_did_you_use_it": "In my annual review.",
        "badge": site["badge"].slug,
        "email": "",
        "consent": "on",
        "website": "",
    }
    for _ in range(3):
        response = client.post(page.url, form, REMOTE_ADDR="203.0.113.7")
        assert response.status_code == 200
    assert page.get_submission_class().objects.filter(page=page).count() == 3
    warnings = [r for r in caplog.records if r.name == "badges_cms.feedback"]
    assert len(warnings) == 1 and "rate limit" in warnings[0].getMessage()
    # The honeypot still turns bots away.
    client.post(page.url, {**form, "website": "http://spam.example"}, REMOTE_ADDR="203.0.113.7")
    assert page.get_submission_class().objects.filter(page=page).count() == 3


def test_the_cache_is_used_again_once_redis_answers(fresh_breaker, caplog):
    """The breaker closes on the first connection that succeeds, and says so once."""
    url = "redis://127.0.0.1:6379/15"
    caplog.set_level(logging.WARNING, logger="alasite.cache")
    with override_settings(CACHES={"default": redis_cache(url)}):
        if cache.set("probe", 1) is None and cache.get("probe") is None:
            pytest.fail("this test needs the machine's Redis on 127.0.0.1:6379")
        fresh_breaker.trip("127.0.0.1:6379", OSError("simulated"))
        fresh_breaker.open_until = 0  # the retry time has come
        cache.set("probe", 2)
        assert cache.get("probe") == 2
        cache.delete("probe")
    messages = [r.getMessage() for r in caplog.records if r.name == "alasite.cache"]
    assert len(messages) == 2 and "answers again" in messages[1]
