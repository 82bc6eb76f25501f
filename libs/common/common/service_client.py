"""Calling another service over HTTP: the one client every service uses.

What each call gets, so no caller writes it again:

- an internal token for the service called (audience), signed with the shared
  secret, naming the caller's subject and roles; a token is reused until
  `TOKEN_RENEW_SECONDS` before it expires, so a long run never sends a stale one;
- the request id and correlation id of the work in hand (common.logging), so
  one request can be followed across services in the logs;
- a timeout on every call, `(connect, read)` seconds;
- retries with exponential backoff (urllib3's `Retry`) only for safe reads,
  GET and HEAD, when the service cannot be reached, times out or answers
  502/503/504; a write is never retried, since one that timed out may have happened;
- every answer that is not 2xx raised as a `ServiceError` read from the
  problem+json body: `status`, `problem_type`, `detail`, `errors` (field →
  messages). Each is a `common.errors.DomainError`, so one left uncaught in a
  view answers the same status to our own caller:

  | the service answered                 | raised                |
  |--------------------------------------|-----------------------|
  | 404                                  | ServiceNotFound       |
  | 409                                  | ServiceConflict       |
  | 422                                  | ServiceRejected       |
  | 403                                  | ServiceForbidden      |
  | any other 4xx but 401                | ServiceError          |
  | 401 (our token refused: a setup     | ServiceUnavailable    |
  | fault), 5xx, timeout, no connection  | (status 503)          |

Usage (orders reading the catalog, on its own behalf):

    catalog = ServiceClient(
        "http://catalog:8001",
        audience="catalog",
        token_secret=settings.common.internal_token_secret,
        subject="orders",
        roles=("service",),
    )
    try:
        item = catalog.get(f"/items/{quote(code, safe='')}")
    except ServiceNotFound:
        item = None

and the gateway acting for a signed-in applicant:

    orders.post("/orders", json=body, caller=Caller(account_id, ("applicant",)),
                idempotency_key=key)
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from common.auth import DEFAULT_TTL_SECONDS, issue_token
from common.errors import DomainError
from common.logging import correlation_id_var, request_id_var

log = logging.getLogger("common.service_client")

SAFE_METHODS = frozenset({"GET", "HEAD"})
RETRYABLE_STATUS = frozenset({502, 503, 504})
# A cached token is renewed this long before it expires: it must still be
# valid when it arrives, after any retries and backoff.
TOKEN_RENEW_SECONDS = 20


@dataclass(frozen=True)
class Caller:
    """Who a call is made for: the subject and roles put in the token."""

    subject: str
    roles: tuple[str, ...]


class ServiceError(DomainError):
    """A service refused the call, or could not answer it.

    `status` is what our own caller should get (503 for anything that is not
    the caller's fault); `upstream_status` what the service answered (None when
    it was not reached)."""

    status = 502
    title = "Another service refused the request"
    slug = "upstream-refused"

    def __init__(
        self,
        service: str,
        status: int | None,
        detail: str,
        *,
        problem_type: str = "",
        errors: dict[str, list[str]] | None = None,
        title: str | None = None,
    ) -> None:
        super().__init__(detail, errors=errors)
        self.service = service
        self.upstream_status = status
        self.problem_type = problem_type
        if type(self) is ServiceError and status is not None:
            self.status = status
        if title:
            self.title = title
        if problem_type and self.status < 500:
            # Our caller sees the same refusal (`/problems/duplicate-answer`), not a generic one.
            self.slug = problem_type.rstrip("/").rsplit("/", 1)[-1]


class ServiceNotFound(ServiceError):
    status = 404
    title = "Not found"
    slug = "not-found"


class ServiceConflict(ServiceError):
    status = 409
    title = "Conflict with the current state"
    slug = "conflict"


class ServiceRejected(ServiceError):
    """The service refused the input (422); `errors` names the fields."""

    status = 422
    title = "The request has invalid fields"
    slug = "invalid-input"


class ServiceForbidden(ServiceError):
    status = 403
    title = "Not allowed"
    slug = "forbidden"


class ServiceUnavailable(ServiceError):
    """Not reached, timed out, a 5xx, or our token refused: never the caller's fault."""

    status = 503
    title = "A service this request needs is unavailable"
    slug = "upstream-unavailable"


_BY_STATUS: dict[int, type[ServiceError]] = {
    403: ServiceForbidden,
    404: ServiceNotFound,
    409: ServiceConflict,
    422: ServiceRejected,
}


class _Tokens:
    """Signed tokens per (subject, roles), reused until shortly before expiry."""

    def __init__(self, secret: str, audience: str, now: Callable[[], float]) -> None:
        self._secret = secret
        self._audience = audience
        self._now = now
        self._lock = threading.Lock()
        self._cache: dict[Caller, tuple[str, float]] = {}

    def for_caller(self, caller: Caller) -> str:
        now = self._now()
        with self._lock:
            cached = self._cache.get(caller)
            if cached and cached[1] - TOKEN_RENEW_SECONDS > now:
                return cached[0]
            token = issue_token(
                self._secret,
                subject=caller.subject,
                roles=caller.roles,
                audience=self._audience,
                now=now,
            )
            self._cache[caller] = (token, now + DEFAULT_TTL_SECONDS)
            return token


class ServiceClient:
    """One service as its callers see it. Thread-safe; build one per service
    called, at start-up (create_app / build_worker), never per request."""

    def __init__(
        self,
        base_url: str,
        *,
        audience: str,
        token_secret: str,
        subject: str = "anonymous",
        roles: Iterable[str] = ("public",),
        timeout: tuple[float, float] = (2.0, 5.0),
        retries: int = 2,
        backoff: float = 0.1,
        now: Callable[[], float] = time.time,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.audience = audience
        self.timeout = timeout
        self._caller = Caller(subject, tuple(roles))
        self._tokens = _Tokens(token_secret, audience, now)
        self._reads = _session(_retry(retries, backoff))
        self._writes = _session(Retry(total=0, raise_on_status=False, redirect=False))

    # -- answers as JSON ---------------------------------------------------------------

    def get(
        self,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        caller: Caller | None = None,
        timeout: tuple[float, float] | None = None,
        retry: bool = True,
    ) -> Any:
        """A read; `retry=False` with a short `timeout` for what a page can do without."""
        return self._json(
            self.request("GET", path, params=params, caller=caller, timeout=timeout, retry=retry)
        )

    def post(
        self,
        path: str,
        *,
        json: Any = None,
        caller: Caller | None = None,
        idempotency_key: str | None = None,
    ) -> Any:
        """A write, never retried; the Idempotency-Key lets the caller repeat it safely."""
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else None
        return self._json(self.request("POST", path, json=json, caller=caller, headers=headers))

    def put(self, path: str, *, json: Any = None, caller: Caller | None = None) -> Any:
        return self._json(self.request("PUT", path, json=json, caller=caller))

    def patch(self, path: str, *, json: Any = None, caller: Caller | None = None) -> Any:
        return self._json(self.request("PATCH", path, json=json, caller=caller))

    def delete(self, path: str, *, caller: Caller | None = None) -> Any:
        return self._json(self.request("DELETE", path, caller=caller))

    # -- the raw exchange -------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        caller: Caller | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: tuple[float, float] | None = None,
        retry: bool = True,
        **kwargs: Any,
    ) -> requests.Response:
        """The 2xx response itself (bytes, a stream, a multipart upload as `data=`);
        anything else raised as a ServiceError."""
        method = method.upper()
        session = self._reads if retry and method in SAFE_METHODS else self._writes
        try:
            response = session.request(
                method,
                self.base_url + path,
                headers=self._headers(caller or self._caller, headers),
                timeout=timeout or self.timeout,
                **kwargs,
            )
        except requests.RequestException as exc:
            log.warning(
                "service unreachable",
                extra={"upstream": self.audience, "error": type(exc).__name__},
            )
            raise ServiceUnavailable(
                self.audience, None, f"The {self.audience} service cannot be reached right now."
            ) from None
        if not 200 <= response.status_code < 300:
            raise self._refusal(response)
        return response

    def close(self) -> None:
        self._reads.close()
        self._writes.close()

    def _headers(self, caller: Caller, extra: Mapping[str, str] | None) -> dict[str, str]:
        headers = {
            "Authorization": f"Bearer {self._tokens.for_caller(caller)}",
            "Accept": "application/json",
        }
        for name, var in (
            ("X-Request-ID", request_id_var),
            ("X-Correlation-ID", correlation_id_var),
        ):
            value = var.get()
            if value:
                headers[name] = value
        headers.update(extra or {})
        return headers

    def _json(self, response: requests.Response) -> Any:
        return response.json() if response.content else None

    def _refusal(self, response: requests.Response) -> ServiceError:
        status = response.status_code
        body = _problem(response)
        detail = str(body.get("detail") or body.get("title") or f"HTTP {status}")
        errors = body.get("errors") if isinstance(body.get("errors"), dict) else None
        problem_type = str(body.get("type") or "")
        if status == 401 or status >= 500:
            log.error(
                "service answered with an error",
                extra={"upstream": self.audience, "status": status, "detail": detail[:200]},
            )
            return ServiceUnavailable(
                self.audience, status, f"The {self.audience} service is unavailable right now."
            )
        kind = _BY_STATUS.get(status, ServiceError)
        title = str(body.get("title") or "") or None
        return kind(
            self.audience, status, detail, problem_type=problem_type, errors=errors, title=title
        )


def _retry(retries: int, backoff: float) -> Retry:
    return Retry(
        total=retries,
        connect=retries,
        read=retries,
        status=retries,
        other=0,
        redirect=False,
        allowed_methods=SAFE_METHODS,
        status_forcelist=RETRYABLE_STATUS,
        backoff_factor=backoff,
        raise_on_status=False,  # the last 503 is mapped like any other answer
        respect_retry_after_header=False,
    )


def _session(retry: Retry) -> requests.Session:
    session = requests.Session()
    adapter = HTTPAdapter(max_retries=retry)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def _problem(response: requests.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
