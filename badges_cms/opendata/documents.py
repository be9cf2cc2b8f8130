"""JSON-LD responses: what a badge page answers a client that asks for JSON-LD, and what the
.json views (views.py) send. Builds on openbadges.py and imports no model, so the page
models' routes can use it."""

import json

from django.http import HttpResponse
from django.utils.cache import patch_vary_headers

from . import openbadges

JSON_LD = "application/ld+json"


def json_ld_response(document):
    response = HttpResponse(
        json.dumps(document, ensure_ascii=False, indent=2), content_type=JSON_LD
    )
    # Public data that badge wallets and verifiers fetch from their own web pages.
    response["Access-Control-Allow-Origin"] = "*"
    return response


def wants_json_ld(request):
    """True when the client prefers JSON-LD to HTML (browsers never do: they ask for
    text/html first, and */* counts as HTML)."""
    return request.get_preferred_type(["text/html", JSON_LD]) == JSON_LD


def badge_page_as_json_ld(page, request):
    """The answer to a request for a badge page that asks for JSON-LD: its BadgeClass."""
    response = json_ld_response(openbadges.badge_class(page, request))
    patch_vary_headers(response, ["Accept"])
    return response
