"""HTTP client for Credly's Web Service API: auth, paging, retries and a deadline.

It knows HTTP and JSON only; mapping Credly's data onto models is sync.py's job.
Every failure is a CredlyError whose str() is one line an operator can act on and
never contains the API token.
"""

from __future__ import annotations

import email.utils
import http.client
import json
import random
import socket
import ssl
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter

DEFAULT_BASE_URL = "https://api.credly.com/v1"
USER_AGENT = f"badges_cms Credly client (python-requests/{requests.__version__})"
# Credly publishes no rate limit and answers transient 500s as well as 502-504
# under load, so 500 is retried like the gateway errors; other 4xx/5xx are final.
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
BADGE_STATES = frozenset({"pending", "accepted", "rejected", "revoked"})


class CredlyConfigError(ValueError):
    """Settings are missing or malformed; found before any request (exit code 2)."""


class CredlyError(Exception):
    """Credly could not be used. `status` is the HTTP status, if there was one; `retry_after`
    the seconds of the last Retry-After Credly sent with it, if any."""

    def __init__(self, message, status=None, credly_message=None, retry_after=None):
        if credly_message:
            message = f"{message} Credly said: {credly_message}"
        super().__init__(" ".join(message.split()))  # always one line
        self.status = status
        self.credly_message = credly_message
        self.retry_after = retry_after


class CredlyAuthError(CredlyError):
    """401 (token refused) or 403 (token without access to the organization)."""


class CredlyNotFound(CredlyError):
    """404: unknown organization or resource."""


class CredlyUnavailable(CredlyError):
    """Outage, rate limiting, timeouts or the deadline: worth trying again later."""


class CredlyBadResponse(CredlyError):
    """Credly answered something we cannot trust: not JSON, wrong shape, foreign URL."""


@dataclass(frozen=True)
class CredlyConfig:
    token: str = field(repr=False)  # never in reprs, logs or tracebacks
    organization_id: str
    base_url: str = DEFAULT_BASE_URL
    connect_timeout: float = 5
    read_timeout: float = 30
    max_retries: int = 5
    backoff_base: float = 0.5
    backoff_cap: float = 30
    retry_after_cap: float = 60
    deadline: float = 900  # seconds for the whole client's life, i.e. one sync
    per_page: int = 50
    # Requests in flight at once when counting accepted badges (one request per template):
    # 2,000 templates at Credly's usual 30 ms take about 4 s at 16, and a 429 pauses them all.
    max_concurrent_requests: int = 16

    def __post_init__(self):
        # Validate on construction so a bad setting stops us before any request.
        token = self.token.strip() if isinstance(self.token, str) else ""
        if not token:
            raise CredlyConfigError("CREDLY_API_TOKEN is empty or missing.")
        # A Basic-auth user name cannot hold ':'; requests encodes it as latin-1.
        if ":" in token or not all("!" <= c <= "~" for c in token):
            raise CredlyConfigError("CREDLY_API_TOKEN holds spaces, ':' or non-ASCII characters.")
        try:
            org = str(uuid.UUID(str(self.organization_id)))
        except ValueError:
            raise CredlyConfigError(
                f"CREDLY_ORGANIZATION_ID {self.organization_id!r} is not a UUID."
            ) from None
        parts = urlsplit(str(self.base_url))
        if parts.scheme not in ("http", "https") or not parts.hostname or not _origin(parts):
            raise CredlyConfigError(  # the value is not echoed: it might hold a secret
                "CREDLY_API_BASE_URL is not an absolute http(s) URL like " + DEFAULT_BASE_URL
            )
        if parts.username or parts.password or parts.query or parts.fragment:
            raise CredlyConfigError(
                "CREDLY_API_BASE_URL must not carry credentials, a query or a fragment."
            )
        for name in ("connect_timeout", "read_timeout", "backoff_cap", "deadline"):
            if not _is_number(getattr(self, name)) or getattr(self, name) <= 0:
                raise CredlyConfigError(f"Credly setting {name} must be a positive number.")
        for name in ("backoff_base", "retry_after_cap"):
            if not _is_number(getattr(self, name)) or getattr(self, name) < 0:
                raise CredlyConfigError(f"Credly setting {name} must not be negative.")
        if not _is_int(self.max_retries) or self.max_retries < 0:
            raise CredlyConfigError("Credly setting max_retries must be a whole number >= 0.")
        if not _is_int(self.per_page) or self.per_page < 1:
            raise CredlyConfigError("Credly setting per_page must be a whole number >= 1.")
        if not _is_int(self.max_concurrent_requests) or self.max_concurrent_requests < 1:
            raise CredlyConfigError(
                "Credly setting max_concurrent_requests must be a whole number >= 1."
            )
        object.__setattr__(self, "token", token)
        object.__setattr__(self, "organization_id", org)
        object.__setattr__(self, "base_url", str(self.base_url).rstrip("/"))


class CredlyClient:
    """One client per sync: its deadline starts counting when it is created.

    The requests.Session may be shared by threads (count_badges_many does so):
    auth and headers are passed per request and never stored on the session, and
    urllib3's connection pool is thread-safe. So is the back-off: an answer worth
    retrying (429, 5xx, a dropped connection) holds back every request of the client,
    in any thread, for the wait it calls for (Retry-After, or the jittered backoff),
    so threads back off together rather than each carrying on until it meets a 429.
    """

    def __init__(self, config, session=None, sleep=time.sleep, clock=time.monotonic):
        self.config = config
        if session is None:
            session = requests.Session()
            # One pooled connection per thread that may share the session, or urllib3 would
            # open and discard a connection per request beyond its default 10.
            adapter = HTTPAdapter(pool_maxsize=config.max_concurrent_requests)
            session.mount("https://", adapter)
            session.mount("http://", adapter)
            # The environment's proxies and CA bundle (HTTPS_PROXY, NO_PROXY, REQUESTS_CA_BUNDLE)
            # for the API's host, read once: requests would look them up on every request, a
            # fifth of its own work per request when 2,000 templates are counted.
            environment = session.merge_environment_settings(config.base_url, {}, None, None, None)
            session.proxies.update(environment["proxies"])
            session.verify, session.cert = environment["verify"], environment["cert"]
            session.trust_env = False
        self.session = session
        self.requests_made = 0
        self._sleep = sleep
        self._clock = clock
        self._deadline_at = clock() + config.deadline
        self._lock = threading.Lock()  # guards requests_made and _resume_at across threads
        self._resume_at = None  # no request starts before this clock() value: the back-off
        self._origin = _origin(config.base_url)
        self._host = urlsplit(config.base_url).netloc.lower()  # for messages: no credentials
        self._org_path = f"/organizations/{config.organization_id}"
        self._headers = {"Accept": "application/json", "User-Agent": USER_AGENT}

    # High-level calls

    def iter_badge_templates(self):
        """Yield every badge template (active, archived and draft: no state filter)."""
        for page in self.iter_pages(f"{self._org_path}/badge_templates"):
            for template in page:
                if not isinstance(template, dict) or not isinstance(template.get("id"), str):
                    raise CredlyBadResponse("Credly sent a badge template without an id.")
                yield template

    def count_badges(self, template_id, state="accepted"):
        """How many issued badges of a template are in `state`, from metadata.total_count."""
        template_id = _uuid(template_id, "badge template id")
        if state not in BADGE_STATES:
            raise ValueError(f"Unknown badge state {state!r}.")
        path = f"{self._org_path}/badges"
        params = {"filter": f"badge_template_id::{template_id}|state::{state}", "page": 1, "per": 1}
        body = self._get_json(path, params)
        metadata = body.get("metadata")
        total = metadata.get("total_count") if isinstance(metadata, dict) else None
        if not _is_int(total):  # its range is the caller's to judge
            raise CredlyBadResponse(
                f"Credly sent no whole metadata.total_count for the {state} badges of badge "
                f"template {template_id}: {total!r}."
            )
        return total

    def get_event(self, event_id):
        """The event's `data`; webhooks carry only its id and are otherwise untrusted."""
        return self._get_data(f"{self._org_path}/events/{_uuid(event_id, 'event id')}")

    def get_badge(self, badge_id):
        """One issued badge of our organization: its state, dates, `public`, earner and
        badge_template. CredlyNotFound for an id Credly does not know *and* for another
        organization's badge: Credly answers 404 for both (see badge_is_known)."""
        return self._get_data(f"{self._org_path}/badges/{_uuid(badge_id, 'badge id')}")

    def badge_is_known(self, badge_id):
        """Whether Credly knows an issued badge with this id, of any organization, from its
        public Open Badges assertion (GET /obi/v2/badge_assertions/{id}, which needs no token):
        what tells another organization's badge from an id that is nobody's."""
        try:
            self._get_json(f"/obi/v2/badge_assertions/{_uuid(badge_id, 'badge id')}")
        except CredlyNotFound:
            return False
        except CredlyError as error:
            if error.status != 410:  # Gone: Open Badges' answer for a revoked assertion
                raise
        return True

    def get_badge_template(self, template_id):
        return self._get_data(
            f"{self._org_path}/badge_templates/{_uuid(template_id, 'badge template id')}"
        )

    # Paging

    def iter_pages(self, path, params=None):
        """Yield each page's `data` list, one request per page, as the caller asks.

        We build ?page=N on the configured base ourselves: Credly's next_page_url has an
        /api/v1/ path, and following a URL from a response could send our token elsewhere.

        Every page is checked against page 1's metadata: the same total_count and total_pages
        throughout, a full page before the last, and exactly the rest on the last. A listing
        that comes back short or changes while it is read raises CredlyBadResponse, so a
        caller never takes a partial listing for the whole (and marks templates gone).
        """
        page, first = 1, None
        while True:
            body = self._get_json(
                path, {**(params or {}), "page": page, "per": self.config.per_page}
            )
            data, metadata = body.get("data"), body.get("metadata")
            where = f"Credly's page {page} of {path}"
            if not isinstance(data, list) or not isinstance(metadata, dict):
                raise CredlyBadResponse(f"{where} is not a data list with metadata.")
            total_pages, total_count = metadata.get("total_pages"), metadata.get("total_count")
            if not _is_int(total_pages) or total_pages < 0:
                raise CredlyBadResponse(f"{where} has no valid total_pages.")
            if not _is_int(total_count) or total_count < 0:
                raise CredlyBadResponse(f"{where} has no valid total_count.")
            if metadata.get("current_page") != page:
                got = metadata.get("current_page")
                raise CredlyBadResponse(f"Asked Credly for page {page} of {path}, got {got!r}.")
            next_url = metadata.get("next_page_url")
            if next_url is not None and not (
                isinstance(next_url, str) and _origin(next_url) == self._origin
            ):
                raise CredlyBadResponse(
                    f"{where} points to a next page on another host "
                    f"({str(next_url)[:100]}); not following it."
                )
            per = metadata.get("per", self.config.per_page)
            if not _is_int(per) or per < 1:
                raise CredlyBadResponse(f"{where} has no valid per.")
            if first is None:
                first = (total_count, total_pages, per)
                if total_pages != -(-total_count // per):
                    raise CredlyBadResponse(
                        f"{where} says {total_count} items on {total_pages} pages of {per}, "
                        "which does not add up."
                    )
            elif (total_count, total_pages, per) != first:
                raise CredlyBadResponse(
                    f"Credly's listing of {path} changed while it was read: page 1 said "
                    f"{first[0]} items on {first[1]} pages, page {page} says {total_count} "
                    f"on {total_pages}. Run the sync again."
                )
            if page > total_pages:
                if data:
                    raise CredlyBadResponse(f"{where} is past total_pages.")
                return  # an empty listing: total_count is 0
            expected = per if page < total_pages else total_count - per * (total_pages - 1)
            if len(data) != expected:
                raise CredlyBadResponse(
                    f"{where} is short: it holds {len(data)} items where {expected} were due "
                    f"(page {page} of {total_pages}, {total_count} in all)."
                )
            yield data
            if page >= total_pages:
                return
            page += 1

    # One request, with retries

    def _get_data(self, path):
        data = self._get_json(path).get("data")
        if not isinstance(data, dict):
            raise CredlyBadResponse(f"Credly's answer for {path} has no data object.")
        return data

    def _get_json(self, path, params=None):
        """GET base_url + path; return the JSON object, retrying transient failures."""
        url = self.config.base_url + path
        for attempt in range(self.config.max_retries + 1):
            self._wait_for_back_off()
            timeout = self._timeout(path)
            with self._lock:
                self.requests_made += 1
            retry_after = status = credly_message = None
            try:
                # Redirects are not followed: the Credly API does not redirect, and a
                # redirect to another host would carry our token there.
                response = self.session.get(
                    url,
                    params=params,
                    auth=(self.config.token, ""),
                    headers=self._headers,
                    timeout=timeout,
                    allow_redirects=False,
                )
            except requests.ConnectTimeout:
                problem = f"Could not connect to {self._host} within {timeout[0]:g}s (for {path})"
            except requests.Timeout:
                problem = f"{self._host} did not answer {path} within {timeout[1]:g}s"
            except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as exc:
                problem = f"Could not reach {self._host}: {_network_problem(exc)} (for {path})"
            else:
                if response.status_code not in RETRY_STATUSES:
                    return self._parse(response, path)
                status = response.status_code
                credly_message = _credly_message(_json_or_none(response))
                problem = f"Credly answered HTTP {status} for {path}"
                retry_after = _retry_after_seconds(response.headers.get("Retry-After"))
            if attempt == self.config.max_retries:
                problem += f"; gave up after {attempt + 1} attempts."
                break
            if retry_after is not None:
                wait = min(retry_after, self.config.retry_after_cap)
            else:  # exponential backoff with full jitter spreads out retrying clients
                ceiling = min(self.config.backoff_cap, self.config.backoff_base * 2**attempt)
                wait = random.uniform(0, ceiling)  # noqa: S311 - jitter, not security
            if self._clock() + wait >= self._deadline_at:
                problem += (
                    f"; waiting {wait:.1f}s to retry would pass the sync's "
                    f"{self.config.deadline:g}s deadline, so gave up."
                )
                break
            self._back_off(wait)
        raise self._error(CredlyUnavailable, problem, status, credly_message, retry_after)

    def _back_off(self, wait):
        """Hold back every request of this client, in every thread, for `wait` seconds from
        now (or longer, if another answer asked for more)."""
        with self._lock:
            resume_at = self._clock() + wait
            if self._resume_at is None or resume_at > self._resume_at:
                self._resume_at = resume_at

    def _wait_for_back_off(self):
        while True:
            with self._lock:
                left = 0 if self._resume_at is None else self._resume_at - self._clock()
            if left <= 0:
                return
            self._sleep(left)  # the back-off may have grown meanwhile: look again

    def _timeout(self, path):
        """(connect, read) timeouts, never beyond the deadline.

        requests' read timeout bounds each socket read, not the whole body; Credly's
        bodies are small, so this is close enough to a total bound.
        """
        left = self._deadline_at - self._clock()
        if left <= 0:
            raise CredlyUnavailable(
                f"The sync's {self.config.deadline:g}s deadline passed before requesting {path}."
            )
        return (min(self.config.connect_timeout, left), min(self.config.read_timeout, left))

    def _parse(self, response, path):
        """The JSON object of a final answer, or the CredlyError that describes it."""
        status, body = response.status_code, _json_or_none(response)
        if 200 <= status < 300 and isinstance(body, dict):
            return body
        if status == 401:
            cls = CredlyAuthError
            problem = (
                "Credly refused the API token (HTTP 401): it has probably expired "
                "(Credly tokens last about 180 days) or is wrong; set a new CREDLY_API_TOKEN."
            )
        elif status == 403:
            cls = CredlyAuthError
            problem = f"The API token has no access to organization {self.config.organization_id}"
            problem += f" (HTTP 403 for {path})."
        elif status == 404:
            cls = CredlyNotFound
            problem = f"Credly knows no {path} (HTTP 404): check CREDLY_ORGANIZATION_ID and the id."
        elif 300 <= status < 400:
            cls = CredlyBadResponse
            problem = f"Credly redirected {path} (HTTP {status}); not following."
        elif status >= 500:
            cls = CredlyUnavailable
            problem = f"Credly answered HTTP {status} for {path}."
        elif status >= 400:
            cls = CredlyError
            problem = f"Credly rejected the request for {path} (HTTP {status})."
        else:
            cls = CredlyBadResponse
            content_type = response.headers.get("Content-Type", "no content type")
            problem = (
                f"Credly's answer for {path} is not a JSON object (HTTP {status}, "
                f"{content_type}, {len(response.content)} bytes; truncated or not JSON)."
            )
        raise self._error(cls, problem, status, _credly_message(body))

    def _error(self, cls, message, status=None, credly_message=None, retry_after=None):
        # Belt and braces: should anything ever echo the token, blank it out.
        token = self.config.token
        if credly_message:
            credly_message = credly_message.replace(token, "[token]")
        return cls(
            message.replace(token, "[token]"),
            status=status,
            credly_message=credly_message,
            retry_after=retry_after,
        )


def count_badges_many(client, template_ids, max_workers=None, state="accepted"):
    """{template id: count} for many templates, at most `max_workers` requests at a time
    (default: the client's max_concurrent_requests), in the order the ids came.

    `template_ids` may be a generator that fetches them (sync.py's reads Credly's listing):
    each is counted as soon as it arrives. The threads share the client's requests.Session
    and its back-off (see CredlyClient): a 429 to one of them pauses them all. The first
    error raised is re-raised and requests not yet started are cancelled.
    """
    max_workers = max_workers or client.config.max_concurrent_requests
    futures = {}  # template id -> its count's future, in the order the ids came
    with ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="credly-count") as pool:
        try:
            for tid in template_ids:
                if tid not in futures:
                    futures[tid] = pool.submit(client.count_badges, tid, state)
            for future in as_completed(futures.values()):
                future.result()  # the first error, as it happens
        except BaseException:
            for future in futures.values():
                future.cancel()
            raise
    return {tid: future.result() for tid, future in futures.items()}


def _network_problem(exc):
    """What went wrong on the network, in a few words, from the causes requests wraps."""
    seen, todo = set(), [exc]
    while todo:
        cause = todo.pop(0)
        if cause is None or id(cause) in seen:
            continue
        seen.add(id(cause))
        if isinstance(cause, ConnectionRefusedError):
            return "connection refused"
        if isinstance(cause, socket.gaierror):
            return "its host name could not be resolved"
        if isinstance(cause, ConnectionResetError):
            return "the connection was reset"
        if isinstance(cause, ssl.SSLError):
            return "the TLS handshake failed"
        if isinstance(cause, http.client.RemoteDisconnected):
            return "the connection closed without an answer"
        todo += [getattr(cause, "reason", None), cause.__cause__, cause.__context__]
        todo += [arg for arg in cause.args if isinstance(arg, BaseException)]
    if isinstance(exc, requests.exceptions.ChunkedEncodingError):
        return "the answer was cut off"
    return f"the connection failed ({type(exc).__name__})"


def _json_or_none(response):
    try:
        return json.loads(response.content)
    except ValueError:  # covers JSONDecodeError and UnicodeDecodeError
        return None


def _credly_message(body):
    """Credly's own words from {"data": {"message": ...}}, shortened to fit a log line."""
    data = body.get("data") if isinstance(body, dict) else None
    message = data.get("message") if isinstance(data, dict) else None
    return str(message)[:300] if message else None


def _retry_after_seconds(value):
    """Retry-After as seconds (delta-seconds or an HTTP date), or None if unusable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:  # HTTP dates are GMT
        return None
    return max(0.0, when.timestamp() - time.time())


def _origin(url):
    """(scheme, host, port) of a URL or urlsplit() result; None if its port is malformed."""
    parts = urlsplit(url) if isinstance(url, str) else url
    try:
        port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    except ValueError:  # a malformed port
        return None
    return (parts.scheme.lower(), (parts.hostname or "").lower(), port)


def _uuid(value, what):
    # Ids end up in paths and in Credly's filter syntax; a UUID cannot smuggle either.
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        raise ValueError(f"The {what} {str(value)[:60]!r} is not a UUID.") from None


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value):
    return isinstance(value, int | float) and not isinstance(value, bool)
