"""What the gateway adds to common.service_client when it calls a service.

The exchange itself is common's ServiceClient: a token for the service's
audience naming the account (or `anonymous`) and its roles, renewed before it
expires; a timeout on every call; retries with backoff (urllib3's Retry) for
safe reads only; every refusal raised as a ServiceError (ServiceNotFound,
ServiceConflict, ServiceRejected with the field errors, ServiceForbidden,
ServiceUnavailable), which pages catch by kind and the API passes on. The
gateway adds:

- its words: a page or problem shows a key of the gateway's message catalogs
  (a 404 says what was not found, a service down says so in the visitor's
  language), not the service's English detail, which stays in the logs;
- `QUICK`, the timeout of a read a page can do without (the unread-messages
  notice): one attempt, half a second, so a slow service never holds a page;
- uploads streamed as multipart with a known length (`MultipartBody`).
"""

from __future__ import annotations

import io
import re
import secrets
from dataclasses import dataclass
from typing import Any, BinaryIO

import requests

from common import service_client
from common.service_client import (
    Caller,
    ServiceError,
    ServiceForbidden,
    ServiceNotFound,
    ServiceUnavailable,
)

__all__ = [
    "ANONYMOUS",
    "QUICK",
    "Caller",
    "GatewayServiceClient",
    "MultipartBody",
    "Upload",
    "get_bytes",
    "put_file",
]

ANONYMOUS = Caller("anonymous", ("public",))

# (connect, read) seconds of a read a page can do without; sent with retry=False.
QUICK = (0.5, 0.5)


class GatewayServiceClient(service_client.ServiceClient):
    """common's ServiceClient built from the gateway's settings (one timeout for
    connecting and reading, SERVICE_READ_RETRIES), whose refusals speak the
    gateway's words: the exception keeps its kind, status, type and field
    errors; only its detail becomes a message key (`not_found` names what this
    client's 404 means)."""

    def __init__(
        self,
        audience: str,
        base_url: str,
        *,
        token_secret: str,
        timeout_seconds: float,
        read_retries: int,
        not_found: str,
        backoff_seconds: float = 0.1,
    ) -> None:
        super().__init__(
            base_url,
            audience=audience,
            token_secret=token_secret,
            timeout=(timeout_seconds, timeout_seconds),
            retries=read_retries,
            backoff=backoff_seconds,
        )
        self.not_found = not_found

    def request(self, method: str, path: str, **options: Any) -> requests.Response:
        try:
            return super().request(method, path, **options)
        except ServiceError as error:
            error.detail = self._words(error)
            raise

    def _words(self, error: ServiceError) -> str:
        if isinstance(error, ServiceNotFound):
            return self.not_found
        if isinstance(error, ServiceUnavailable):
            return "upstream.unavailable"
        if isinstance(error, ServiceForbidden):
            return "auth.forbidden"
        # A 409 or 422 keeps the service's detail: the field errors say what to change.
        return error.detail


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


def put_file(
    client: service_client.ServiceClient, path: str, upload: Upload, caller: Caller
) -> Any:
    """Stream one file as multipart/form-data (field `file`); never retried."""
    body = MultipartBody(upload)
    headers = {"Content-Type": body.content_type}
    answer = client.request("PUT", path, data=body, headers=headers, caller=caller)
    return answer.json() if answer.content else None


def get_bytes(
    client: service_client.ServiceClient,
    path: str,
    caller: Caller,
    params: dict[str, Any] | None = None,
) -> tuple[bytes, str]:
    """A binary answer (an image, a CSV) and its content type."""
    answer = client.request("GET", path, params=params, caller=caller)
    return answer.content, answer.headers.get("Content-Type", "application/octet-stream")
