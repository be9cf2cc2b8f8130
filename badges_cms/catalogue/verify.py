"""The verify page, ``<index>/verify/?badge=<what was pasted>``: is a Credly badge someone shows
you one of ours, and current? A plain GET form, so an answer can be linked; the same address
with ``Accept: application/json`` answers JSON (the contract is in docs/data.md).

The check itself is credly/verify.py's. This module adds the page's side: the per-client rate
limit (which holds for answers from the cache too, so the page can neither spend the Credly
quota nor walk through badge ids), our badge page for the badge's Credly template, the answer in
plain words, and headers that keep the answer out of shared caches and search engines.

It is a route of BadgeIndexPage (catalogue/routes.py), so it imports no model: the index's
visible badges come in as a queryset.
"""

from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.template.response import TemplateResponse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .. import conf, links
from ..clients import RateLimit
from ..credly import verify as credly_verify
from ..credly.embed import MAX_LENGTH
from ..http_cache.headers import mark_private
from ..sharing.meta import breadcrumbs

RATE_LIMITED = "rate_limited"
JSON_TYPE = "application/json"
HTTP_STATUS = {credly_verify.INVALID: 400, credly_verify.UNAVAILABLE: 503, RATE_LIMITED: 429}


def state_in_words(state):
    return {
        "accepted": _("Accepted: its earner took the badge on Credly."),
        "pending": _("Pending: issued, but its earner has not accepted it yet."),
        "rejected": _("Rejected: its earner declined the badge."),
        "revoked": _("Revoked: we withdrew the badge; it is no longer valid."),
    }.get(state, _("Credly did not say."))


def in_minutes(answer):
    minutes = answer.retry_after_minutes
    return ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}


def headline(answer, badge_page):
    """The answer in one sentence of plain words."""
    status = answer.status
    if status == credly_verify.OURS:
        if answer.state == "revoked":
            return _("This badge was issued by us and then revoked: it is no longer valid.")
        if answer.expired:
            return _("This badge was issued by us, but it has expired: it is no longer current.")
        if answer.state == "accepted":
            return _("This is a genuine badge issued by us, and it is current.")
        if answer.state == "pending":
            return _("This badge was issued by us, but its earner has not accepted it yet.")
        if answer.state == "rejected":
            return _("This badge was issued by us, but its earner declined it.")
        return _("This badge was issued by us; Credly did not say whether it is current.")
    if status == credly_verify.NOT_OURS:
        return _(
            "This badge is on Credly, but another organization issued it, not us. Ask its "
            "issuer, or look at the badge's page on Credly."
        )
    if status == credly_verify.UNKNOWN:
        return _(
            "Credly knows no badge with this id. Check that the whole address or embed code "
            "was copied; a badge its earner keeps private cannot be checked either."
        )
    if status == credly_verify.INVALID:
        return _("This is not a Credly badge's address, embed code or id.")
    if status == RATE_LIMITED:
        return _("You have checked many badges in a short time. Please try again in %(wait)s.") % {
            "wait": in_minutes(answer)
        }
    return _("We can't check this right now: Credly is not answering. Try again in %(wait)s.") % {
        "wait": in_minutes(answer)
    }


def verify_page(request, index, badges):
    """The answer for ``index``'s verify route; ``badges`` are the badges anyone may see below
    it (BadgeIndexPage.visible_badges)."""
    mark_private(request)  # what one visitor asked about is nobody else's (http_cache/headers)
    pasted = request.GET.get("badge")
    if pasted is None:
        answer = None
        if wants_json(request):  # nothing to check: the same answer as an empty paste
            answer = credly_verify.verify("")
    else:
        limit = RateLimit(
            request,
            prefix="badges_cms:verify-rate:",
            salt="badges_cms.verify.rate-limit",
            limit=conf.get("BADGES_CMS_VERIFY_RATE_LIMIT"),
            window=conf.get("BADGES_CMS_VERIFY_RATE_WINDOW"),
            trusted_proxies=conf.get("BADGES_CMS_TRUSTED_PROXIES"),
        )
        limit.what = "verify page's rate limit"
        if limit.take():
            answer = credly_verify.verify(pasted)
        else:
            window = conf.get("BADGES_CMS_VERIFY_RATE_WINDOW")
            answer = credly_verify.Verification(RATE_LIMITED, retry_after=window)
    badge_page = our_badge_page(answer, badges)
    if wants_json(request):
        response = JsonResponse(as_json(answer, badge_page, request))
    else:
        response = TemplateResponse(
            request,
            "badges_cms/verify.html",
            page_context(request, index, answer, badge_page, (pasted or "")[:MAX_LENGTH]),
        )
    if answer is not None:
        response.status_code = HTTP_STATUS.get(answer.status, 200)
        if answer.retry_after:
            response["Retry-After"] = str(answer.retry_after)
    patch_cache_control(response, private=True, no_store=True)
    patch_vary_headers(response, ["Accept"])
    response["X-Robots-Tag"] = "noindex"
    return response


def wants_json(request):
    return request.get_preferred_type(["text/html", JSON_TYPE]) == JSON_TYPE


def our_badge_page(answer, badges):
    """The visible badge page of the badge's Credly template, if there is one (one query)."""
    if answer is None or answer.status != credly_verify.OURS or not answer.template_id:
        return None
    try:
        return badges.linked_to(answer.template_id).first()
    except ValidationError:  # Credly sent a template id that is no UUID
        return None


def iso(moment):
    return moment.isoformat() if moment else None


def as_json(answer, badge_page, request):
    ours = answer.status == credly_verify.OURS
    badge = None
    if badge_page is not None:
        badge = {
            "title": badge_page.title,
            "url": links.page_url(badge_page, request),
            "badgeclass": links.badgeclass_url(badge_page, request),
            "achievement": links.achievement_url(badge_page, request),
        }
    body = {
        "status": answer.status,
        "message": headline(answer, badge_page),
        "badge_id": answer.badge_id,
        "credly_url": answer.credly_url,
        "state": answer.state if ours else None,
        "expired": answer.expired,
        "current": answer.current,
        "issued_at": iso(answer.issued_at),
        "expires_at": iso(answer.expires_at),
        "badge": badge,
        "earner": answer.earner,
        "retry_after": answer.retry_after,
    }
    if answer.status == credly_verify.INVALID:
        body["error"] = {"code": answer.error_code, "message": answer.error}
    return body


def page_context(request, index, answer, badge_page, pasted):
    url = links.verify_url(index, request)
    title = _("Verify a badge")
    facts = []
    if answer is not None and answer.status == credly_verify.OURS:
        facts.append((_("State"), state_in_words(answer.state)))
        if answer.issued_at:
            facts.append((_("Issued on"), date_format(answer.issued_at, "j F Y")))
        if answer.expires_at:
            label = _("Expired on") if answer.expired else _("Expires on")
            facts.append((label, date_format(answer.expires_at, "j F Y")))
        else:
            facts.append((_("Expires"), _("Never")))
        facts.append(
            (_("Earned by"), answer.earner or _("Not shown: the earner keeps it private on Credly"))
        )
    return {
        "page": index,
        "self": index,
        "request": request,
        "answer": answer,
        "headline": headline(answer, badge_page) if answer is not None else "",
        "facts": facts,
        "badge_page": badge_page,
        "pasted": pasted,
        "verify_url": url,
        "meta_overrides": {
            "title": title,
            "description": _(
                "Check whether a Credly badge someone shows you was issued by us, "
                "and whether it is current."
            ),
            "url": url,
            "breadcrumbs": breadcrumbs(index, request) + [(title, url)],
            "json_ld": [],
            "alternates": [],
        },
    }
