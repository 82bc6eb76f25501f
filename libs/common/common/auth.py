"""Internal identity: short-lived tokens the gateway signs for each call.

The gateway is the only component that sees browsers. For every call to a
service it signs a token naming the subject (an account id, or "anonymous"),
the subject's roles and the audience (the service called). Each service
verifies the signature, the audience and the expiry, and refuses anything else
with 401. The format is a compact HMAC-SHA256 token (header.payload.signature,
base64url), so no service needs the gateway's database.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar

from flask import current_app, g, request

from common.errors import Forbidden, Unauthorized

STAFF_ROLES = ("reviewer", "production", "dispatcher", "supervisor")
APPLICANT = "applicant"
PUBLIC = "public"

_HEADER = base64.urlsafe_b64encode(b'{"alg":"HS256","typ":"LT"}').rstrip(b"=")
DEFAULT_TTL_SECONDS = 60


@dataclass(frozen=True)
class Identity:
    subject: str
    roles: tuple[str, ...]

    @property
    def is_staff(self) -> bool:
        return any(role in STAFF_ROLES for role in self.roles)

    def has_any(self, roles: Iterable[str]) -> bool:
        return any(role in self.roles for role in roles)


def _b64(data: bytes) -> bytes:
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def _unb64(data: str) -> bytes:
    return base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))


def _sign(secret: str, signing_input: bytes) -> bytes:
    return _b64(hmac.new(secret.encode(), signing_input, hashlib.sha256).digest())


def issue_token(
    secret: str,
    *,
    subject: str,
    roles: Iterable[str],
    audience: str,
    ttl_seconds: int = DEFAULT_TTL_SECONDS,
    now: float | None = None,
) -> str:
    issued = int(now if now is not None else time.time())
    claims = {
        "sub": subject,
        "roles": list(roles),
        "aud": audience,
        "iat": issued,
        "exp": issued + ttl_seconds,
    }
    payload = _b64(json.dumps(claims, separators=(",", ":")).encode())
    signing_input = _HEADER + b"." + payload
    return (signing_input + b"." + _sign(secret, signing_input)).decode()


def verify_token(secret: str, token: str, *, audience: str, now: float | None = None) -> Identity:
    """The token's identity, or Unauthorized saying what is wrong with it."""
    parts = token.split(".")
    if len(parts) != 3:
        raise Unauthorized("The internal token is malformed.")
    signing_input = f"{parts[0]}.{parts[1]}".encode()
    if not hmac.compare_digest(_sign(secret, signing_input), parts[2].encode()):
        raise Unauthorized("The internal token's signature is not valid.")
    try:
        claims: dict[str, Any] = json.loads(_unb64(parts[1]))
    except ValueError:
        raise Unauthorized("The internal token is malformed.") from None
    if claims.get("aud") != audience:
        raise Unauthorized("The internal token is for another service.")
    if int(claims.get("exp", 0)) < (now if now is not None else time.time()):
        raise Unauthorized("The internal token has expired.")
    roles = claims.get("roles") or []
    if not isinstance(claims.get("sub"), str) or not isinstance(roles, list):
        raise Unauthorized("The internal token is malformed.")
    return Identity(subject=claims["sub"], roles=tuple(str(role) for role in roles))


def authenticate_request(secret: str, audience: str) -> Identity:
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        raise Unauthorized("This service needs an internal token (Authorization: Bearer …).")
    return verify_token(secret, header.removeprefix("Bearer ").strip(), audience=audience)


def install_token_check(app: Any, secret: str, audience: str, open_paths: Iterable[str]) -> None:
    """Verify the token on every request except the operational endpoints."""
    exempt = tuple(open_paths)

    @app.before_request
    def _check_token() -> None:
        if request.path.startswith(exempt):
            return
        g.identity = authenticate_request(secret, audience)


def current_identity() -> Identity:
    identity = g.get("identity")
    if identity is None:
        raise Unauthorized("This service needs an internal token.")
    return identity  # type: ignore[no-any-return]


F = TypeVar("F", bound=Callable[..., Any])


def require_roles(*roles: str) -> Callable[[F], F]:
    """Allow the view only to identities holding one of the roles (403 otherwise)."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            identity = current_identity()
            if not identity.has_any(roles):
                raise Forbidden(f"This needs one of the roles: {', '.join(roles)}.")
            return view(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorator


def internal_secret() -> str:
    return str(current_app.config["INTERNAL_TOKEN_SECRET"])
