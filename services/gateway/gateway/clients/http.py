"""Calling a service: a signed internal token, a timeout on every call, retries
with a small backoff only for safe reads, and every failure turned into a
refusal the gateway can show (a service down is a 503, never a 500)."""

from __future__ import annotations

import io
import logging
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, BinaryIO

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


class PayloadTooLarge(DomainError):
    status = 413
    title = "The file is too large"
    slug = "too-large"


class UpstreamRefusal(DomainError):
    """Any other 4xx a service answered: passed on with its status and problem type."""

    def __init__(self, status: int, title: str, detail: str, *, errors: Any = None) -> None:
        super().__init__(detail, errors=errors)
        self.status = status
        self.title = title or "The request was refused"


# The time a page waits for something it can show without (the unread-messages notice).
QUICK_TIMEOUT_SECONDS = 0.5


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
        not_found: str = "item.not_found",
    ) -> None:
        self.service = service
        self.base_url = base_url.rstrip("/")
        self._secret = token_secret
        self._timeout = timeout_seconds
        self._retries = read_retries
        self._backoff = backoff_seconds
        self._sleep = sleep
        self._not_found = not_found
        self._http = requests.Session()

    def get(
        self,
        path: str,
        caller: Caller,
        params: dict[str, Any] | None = None,
        *,
        quick: bool = False,
    ) -> Any:
        """A read, retried when it is safe; `quick` for what a page can do without
        (one attempt with a short timeout), so a slow service never holds the page."""
        return self._answer(self._read(path, caller, params, quick=quick))

    def get_bytes(self, path: str, caller: Caller) -> tuple[bytes, str]:
        """A binary answer (an image) and its content type; refusals as for get()."""
        response = self._read(path, caller, None)
        if not 200 <= response.status_code < 300:
            self._answer(response)
        return response.content, response.headers.get("Content-Type", "application/octet-stream")

    def _read(
        self, path: str, caller: Caller, params: dict[str, Any] | None, *, quick: bool = False
    ) -> requests.Response:
        attempts = 1 if quick else 1 + max(self._retries, 0)
        timeout = min(self._timeout, QUICK_TIMEOUT_SECONDS) if quick else self._timeout
        for attempt in range(attempts):
            last = attempt == attempts - 1
            try:
                response = self._send("GET", path, caller, params=params, timeout=timeout)
            except requests.RequestException as exc:
                if last:
                    raise self._unavailable(exc) from None
            else:
                if response.status_code not in RETRYABLE_STATUS or last:
                    return response
            self._sleep(self._backoff * (2**attempt))
        raise AssertionError("unreachable")  # pragma: no cover

    def post(
        self,
        path: str,
        caller: Caller,
        body: dict[str, Any] | None = None,
        *,
        idempotency_key: str | None = None,
    ) -> Any:
        # Never retried: a write that timed out may have happened.
        return self._write("POST", path, caller, idempotency_key, json=body or {})

    def put(self, path: str, caller: Caller, body: dict[str, Any]) -> Any:
        return self._write("PUT", path, caller, None, json=body)

    def delete(self, path: str, caller: Caller) -> Any:
        return self._write("DELETE", path, caller, None)

    def put_file(self, path: str, caller: Caller, upload: Upload) -> Any:
        """Stream one file as multipart/form-data (field `file`) without holding it in memory."""
        body = MultipartBody(upload)
        headers = {"Content-Type": body.content_type}
        return self._write("PUT", path, caller, None, data=body, headers=headers)

    def _write(
        self, method: str, path: str, caller: Caller, idempotency_key: str | None, **kwargs: Any
    ) -> Any:
        if idempotency_key:
            kwargs.setdefault("headers", {})["Idempotency-Key"] = idempotency_key
        try:
            response = self._send(method, path, caller, **kwargs)
        except requests.RequestException as exc:
            raise self._unavailable(exc) from None
        return self._answer(response)

    def _send(self, method: str, path: str, caller: Caller, **kwargs: Any) -> requests.Response:
        token = issue_token(
            self._secret, subject=caller.subject, roles=caller.roles, audience=self.service
        )
        headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        headers.update(kwargs.pop("headers", None) or {})
        if has_request_context() and "request_id" in g:
            headers["X-Request-ID"] = g.request_id
        kwargs.setdefault("timeout", self._timeout)
        return self._http.request(method, self.base_url + path, headers=headers, **kwargs)

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
        errors = body.get("errors") if isinstance(body.get("errors"), dict) else None
        error: DomainError
        if status == 404:
            error = NotFound(self._not_found)
        elif status == 409:
            error = Conflict(detail or "upstream.conflict", errors=errors)
        elif status == 422:
            error = InvalidInput(detail or "form.invalid", errors=errors)
        elif status == 413:
            error = PayloadTooLarge(detail or "upload.too_large", errors=errors)
        elif status == 403:
            error = Forbidden("auth.forbidden")
        elif 400 <= status < 500 and status != 401:
            error = UpstreamRefusal(status, str(body.get("title") or ""), detail, errors=errors)
        else:
            # 401 means our own token was refused (a configuration fault); 5xx is theirs.
            log.error(
                "service answered with an error",
                extra={"upstream": self.service, "status": status, "detail": detail[:200]},
            )
            error = UpstreamUnavailable("upstream.unavailable")
        problem_type = str(body.get("type") or "")
        if problem_type and status < 500 and status not in {401, 403, 404}:
            error.slug = problem_type.rstrip("/").rsplit("/", 1)[-1]
        raise error


@dataclass(frozen=True)
class Upload:
    """A file on its way to a service: read in chunks, never whole."""

    stream: BinaryIO
    filename: str
    content_type: str
    size: int


class MultipartBody:
    """multipart/form-data with one part, `file`, as a readable stream of known length,
    so requests sends it with a Content-Length and reads the file chunk by chunk."""

    def __init__(self, upload: Upload) -> None:
        boundary = secrets.token_hex(16)
        self.content_type = f"multipart/form-data; boundary={boundary}"
        safe_name = re.sub(r'["\\\r\n]', "_", upload.filename or "upload")
        safe_type = re.sub(r"[^\w.+/-]", "", upload.content_type) or "application/octet-stream"
        head = (
            f"--{boundary}\r\n"
            f'Content-Disposition: form-data; name="file"; filename="{safe_name}"\r\n'
            f"Content-Type: {safe_type}\r\n\r\n"
        ).encode()
        tail = f"\r\n--{boundary}--\r\n".encode()
        self._parts: list[BinaryIO] = [io.BytesIO(head), upload.stream, io.BytesIO(tail)]
        self.len = len(head) + upload.size + len(tail)  # requests reads `len` for Content-Length

    def __len__(self) -> int:
        return self.len

    def read(self, size: int = -1) -> bytes:
        chunks = []
        wanted = size if size is not None and size >= 0 else None
        while self._parts and (wanted is None or wanted > 0):
            chunk = self._parts[0].read(-1 if wanted is None else wanted)
            if not chunk:
                self._parts.pop(0)
                continue
            chunks.append(chunk)
            if wanted is not None:
                wanted -= len(chunk)
        return b"".join(chunks)


def _json_or_empty(response: requests.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
