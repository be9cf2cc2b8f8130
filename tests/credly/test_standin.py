"""The project's stand-in for Credly (badges_cms/credly/standin.py), in what it adds to
Credly's API for the demo: issuing a badge over HTTP, which changes what the API answers and
records the event a webhook names; and badge images that never leave the machine."""

import io
import json

import pytest
import requests
from PIL import Image

from badges_cms.credly.client import CredlyClient, CredlyConfig, CredlyNotFound
from badges_cms.credly.standin import ISSUE_PATH, CredlyStandIn, badge_png, make_template


@pytest.fixture
def standin():
    with CredlyStandIn() as server:
        server.templates = [make_template(1), make_template(2)]
        yield server


def client_for(server):
    return CredlyClient(CredlyConfig(server.token, server.organization_id, server.base_url))


def test_issuing_a_badge_counts_it_and_records_its_event(standin):
    template = standin.templates[0]
    before = template["badges_count"]
    answer = requests.post(
        standin.origin + ISSUE_PATH, json={"template_id": template["id"]}, timeout=5
    )
    assert answer.status_code == 201
    webhook = answer.json()
    assert set(webhook) == {"id", "organization_id", "event_type", "occurred_at"}
    assert webhook["event_type"] == "badge.created"
    client = client_for(standin)
    assert client.get_badge_template(template["id"])["badges_count"] == before + 1
    event = client.get_event(webhook["id"])
    assert event["badge"]["badge_template"]["id"] == template["id"]
    assert event["badge"]["state"] == "accepted"


def test_an_issued_badge_answers_by_its_id_and_an_unknown_one_is_a_404(standin):
    webhook = standin.issue(standin.templates[1]["id"], state="pending")
    badge_id = standin.events[webhook["id"]]["badge"]["id"]
    session = requests.Session()
    session.auth = (standin.token, "")
    url = f"{standin.base_url}/organizations/{standin.organization_id}/badges/"
    found = session.get(url + badge_id, timeout=5)
    assert found.status_code == 200
    assert found.json()["data"]["state"] == "pending"
    assert session.get(url + "00000000-0000-4000-8000-000000000000", timeout=5).status_code == 404
    with pytest.raises(CredlyNotFound):
        client_for(standin).get_event("00000000-0000-4000-8000-000000000000")


@pytest.mark.parametrize("body", [b"{}", b"not json", json.dumps({"template_id": "nope"}).encode()])
def test_an_issue_request_without_a_known_template_is_refused(standin, body):
    answer = requests.post(standin.origin + ISSUE_PATH, data=body, timeout=5)
    assert answer.status_code == 422
    assert [t["badges_count"] for t in standin.templates] == [3, 6]


def test_badge_images_are_served_without_a_token(standin):
    answer = requests.get(standin.origin + "/standin/images/some-template.png", timeout=5)
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "image/png"
    assert Image.open(io.BytesIO(answer.content)).size == (600, 600)
    assert answer.content == badge_png()
