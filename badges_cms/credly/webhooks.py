"""POST /credly/webhook/: acknowledge at once, do the work in a task.

Credly retries anything but a 200 for 25 days, so the view answers 200 for every well-formed
event, including events for another organization (ignored), and never waits on Credly.
"""

import json
import logging
import uuid

from django.conf import settings
from django.http import HttpResponse, HttpResponseBadRequest
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

logger = logging.getLogger("badges_cms.credly")

MAX_BODY_BYTES = 64 * 1024


@csrf_exempt  # Credly cannot send our CSRF token; the body is untrusted and only queues work
@require_POST
def credly_webhook(request):
    from .tasks import process_credly_event

    length = request.headers.get("Content-Length", "")
    if (length.isdigit() and int(length) > MAX_BODY_BYTES) or len(request.body) > MAX_BODY_BYTES:
        return HttpResponseBadRequest("Body over 64 KB.", content_type="text/plain")
    try:
        body = json.loads(request.body)
        event_id = str(uuid.UUID(str(body["id"])))
    except (ValueError, KeyError, TypeError):
        return HttpResponseBadRequest(
            "Expected a JSON object with an event id.", content_type="text/plain"
        )
    ours = str(getattr(settings, "CREDLY_ORGANIZATION_ID", "")).lower()
    if str(body.get("organization_id", "")).lower() != ours:
        logger.info("Webhook event %s for another organization ignored.", event_id)
        return HttpResponse("Ignored: another organization.", content_type="text/plain")
    process_credly_event.enqueue(event_id)
    return HttpResponse("Queued.", content_type="text/plain")
