"""Credly webhooks as the tests send them: an event the stand-in knows, its POST to the site,
a run of the task worker, and a template's stored count."""

import json
import uuid

from django.core.management import call_command
from django.test import Client

from badges_cms.credly.standin import template_id
from badges_cms.models import CredlyBadgeTemplate

URL = "/credly/webhook/"


def event(credly, event_type="badge.created", template=1, organization=None):
    event_id = str(uuid.uuid4())
    credly.events[event_id] = {
        "id": event_id,
        "organization_id": organization or credly.organization_id,
        "event_type": event_type,
        "occurred_at": "2026-11-27T23:41:05.123-05:00",
        "badge": {"id": str(uuid.uuid4()), "badge_template": {"id": template_id(template)}},
    }
    return event_id


def post(body, client=None):
    client = client or Client(enforce_csrf_checks=True)
    data = body if isinstance(body, bytes | str) else json.dumps(body)
    return client.post(URL, data=data, content_type="application/json")


def run_worker():
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)


def issued(number):
    return CredlyBadgeTemplate.objects.get(pk=template_id(number)).badges_count
