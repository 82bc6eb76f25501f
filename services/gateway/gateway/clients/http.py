"""Calling a service: a signed internal token, a timeout on every call, retries
with a small backoff only for safe reads, and every failure turned into a
refusal the gateway can show (a service down is a 503, never a 500)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import requests
from flask import g, has_request_context

from common.auth import issue_token
from common.errors import (
    Conflict,
    DomainError,
    Forbidden,
    InvalidInput,
    NotFound,
    UpstreamUnavailable,
)

log = logging.getLogger("gateway.clients")

RETRYABLE_STATUS = frozenset({502, 503, 504})


class Caller:
    """Who the gateway calls on behalf of: the subject and roles put in the token."""

    def __init__(self, subject: str = "anonymous", roles: tuple[str, ...] = ("public",)) -> None:
        self.subject = subject
        self.roles = roles


ANONYMOUS = Caller()


class ServiceClient:
    def __init__(
        self,
        service: str,
        base_url: str,
        *,
        token_secret: str,
        timeout_seconds: float,
        read_retries: int,
        backoff_seconds: float = 0.1,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.service = service
        self.base_url = base_url.rstrip("/")
        self._secret = token_secret
        self._timeout = timeout_seconds
        self._retries = read_retries
        self._backoff = backoff_seconds
        self._sleep = sleep
        self._http = requests.Session()

    def get(self, path: str, caller: Caller, params: dict[str, Any] | None = None) -> Any:
        attempts = 1 + max(self._retries, 0)
        for attempt in range(attempts):
            last = attempt == attempts - 1
            try:
                response = self._send("GET", path, caller, params=params)
            except requests.RequestException as exc:
                if last:
                    raise self._unavailable(exc) from None
            else:
                if response.status_code not in RETRYABLE_STATUS or last:
                    return self._answer(response)
            self._sleep(self._backoff * (2**attempt))
        raise AssertionError("unreachable")  # pragma: no cover

    def post(self, path: str, caller: Caller, body: dict[str, Any] | None = None) -> Any:
        # Never retried: a write that timed out may have happened.
        try:
            response = self._send("POST", path, caller, json=body or {})
        except requests.RequestException as exc:
            raise self._unavailable(exc) from None
        return self._answer(response)

    def _send(self, method: str, path: str, caller: Caller, **kwargs: Any) -> requests.Response:
        token = issue_token(
            self._secret, subject=caller.subject, roles=caller.roles, audience=self.service
        )
        headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        if has_request_context() and "request_id" in g:
            headers["X-Request-ID"] = g.request_id
        return self._http.request(
            method, self.base_url + path, headers=headers, timeout=self._timeout, **kwargs
        )

    def _unavailable(self, exc: Exception) -> UpstreamUnavailable:
        log.warning(
            "service unreachable", extra={"upstream": self.service, "error": type(exc).__name__}
        )
        return UpstreamUnavailable("upstream.unavailable")

    def _answer(self, response: requests.Response) -> Any:
        status = response.status_code
        if 200 <= status < 300:
            return response.json() if response.content else None
        body = _json_or_empty(response)
        detail = str(body.get("detail") or body.get("title") or "")
        error: DomainError
        if status == 404:
            error = NotFound("item.not_found")
        elif status == 409:
            error = Conflict(detail or "upstream.conflict")
        elif status in {400, 422}:
            error = InvalidInput(detail or "form.invalid", errors=body.get("errors") or None)
        elif status == 403:
            error = Forbidden("auth.forbidden")
        else:
            # 401 means our own token was refused (a configuration fault); 5xx is theirs.
            log.error(
                "service answered with an error",
                extra={"upstream": self.service, "status": status, "detail": detail[:200]},
            )
            error = UpstreamUnavailable("upstream.unavailable")
        raise error


def _json_or_empty(response: requests.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
