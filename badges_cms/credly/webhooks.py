"""POST /credly/webhook/: acknowledge at once, do the work in a task.

Credly retries anything but a 200 for 25 days, so the view answers 200 for every well-formed
event and never waits on Credly. The answer is the same whatever the event: for our
organization or another, new or repeated, refreshed or folded into a later full refresh
(tasks.route_event), so the endpoint confirms nothing to whoever posts to it.
"""

import json
import logging
import uuid

from django.http import HttpResponse, HttpResponseBadRequest
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .. import conf
from .tasks import route_event

logger = logging.getLogger("badges_cms.credly")

MAX_BODY_BYTES = 64 * 1024


@csrf_exempt  # Credly cannot send our CSRF token; the body is untrusted and only queues work
@require_POST
def credly_webhook(request):
    length = request.headers.get("Content-Length", "")
    if (length.isdigit() and int(length) > MAX_BODY_BYTES) or len(request.body) > MAX_BODY_BYTES:
        return HttpResponseBadRequest("Body over 64 KB.", content_type="text/plain")
    try:
        body = json.loads(request.body)
        event_id = uuid.UUID(str(body["id"]))
    except (ValueError, KeyError, TypeError):
        return HttpResponseBadRequest(
            "Expected a JSON object with an event id.", content_type="text/plain"
        )
    ours = str(conf.get("CREDLY_ORGANIZATION_ID") or "").lower()
    if ours and str(body.get("organization_id", "")).lower() == ours:
        handling = route_event(event_id)
        logger.debug("Webhook event %s: %s.", event_id, handling)
    else:
        logger.debug("Webhook event %s for another organization ignored.", event_id)
    return HttpResponse("Queued.", content_type="text/plain")
