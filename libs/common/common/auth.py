"""Internal identity: short-lived tokens the gateway signs for each call.

The gateway is the only component that sees browsers. For every call to a
service it signs a token naming the subject (an account id, or "anonymous"),
the subject's roles and the audience (the service called). Each service
verifies the signature, the audience and the expiry, and refuses anything else
with 401, so no service needs the gateway's database.

The tokens are standard JWTs (RFC 7519) made and checked by PyJWT: HS256 only
(a token naming any other algorithm, `none` included, is refused), `aud` the
service called, `exp` checked with a small leeway so that clocks of two
processes a few seconds apart do not refuse each other's fresh tokens.

The secret may be rotated without stopping every service at once:
INTERNAL_TOKEN_SECRET takes several secrets separated by commas, the newest
first. The first signs; any of them verifies. Roll out "new,old" everywhere,
then "new" (docs/operations.md, key rotation).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar

import jwt
from flask import current_app, g, request

from common.errors import Forbidden, Unauthorized

STAFF_ROLES = ("reviewer", "production", "dispatcher", "supervisor")
APPLICANT = "applicant"
PUBLIC = "public"

ALGORITHM = "HS256"
DEFAULT_TTL_SECONDS = 60
# How far past `exp` a token is still taken: the clocks of two hosts drift.
LEEWAY_SECONDS = 10
_REQUIRED_CLAIMS = ["sub", "aud", "exp", "iat"]


@dataclass(frozen=True)
class Identity:
    subject: str
    roles: tuple[str, ...]

    @property
    def is_staff(self) -> bool:
        return any(role in STAFF_ROLES for role in self.roles)

    def has_any(self, roles: Iterable[str]) -> bool:
        return any(role in self.roles for role in roles)


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
    return jwt.encode(claims, secrets_of(secret)[0], algorithm=ALGORITHM)


def secrets_of(setting: str) -> list[str]:
    """The secrets a setting names, newest first (one, or several while rotating)."""
    return [part.strip() for part in setting.split(",") if part.strip()] or [setting]


def _claims(secret: str, token: str, audience: str, now: float | None) -> dict[str, Any]:
    # PyJWT reads the clock itself; a test's `now` is applied by moving the
    # leeway instead (exp + leeway >= now  ⇔  exp + leeway + (real - now) >= real).
    leeway = LEEWAY_SECONDS + (time.time() - now if now is not None else 0.0)
    *older, oldest = secrets_of(secret)
    try:
        for candidate in older:
            try:
                return _decoded(token, candidate, audience, leeway)
            except jwt.InvalidSignatureError:
                continue  # signed with an older secret, maybe
        return _decoded(token, oldest, audience, leeway)
    except jwt.InvalidAudienceError:
        raise Unauthorized("The internal token is for another service.") from None
    except jwt.ExpiredSignatureError:
        raise Unauthorized("The internal token has expired.") from None
    except jwt.InvalidSignatureError:
        raise Unauthorized("The internal token's signature is not valid.") from None
    except jwt.InvalidAlgorithmError:
        raise Unauthorized(f"The internal token must be signed with {ALGORITHM}.") from None
    except jwt.InvalidTokenError:
        raise Unauthorized("The internal token is malformed.") from None


def _decoded(token: str, secret: str, audience: str, leeway: float) -> dict[str, Any]:
    return jwt.decode(
        token,
        secret,
        algorithms=[ALGORITHM],
        audience=audience,
        leeway=leeway,
        options={"require": _REQUIRED_CLAIMS, "verify_iat": False},
    )


def verify_token(secret: str, token: str, *, audience: str, now: float | None = None) -> Identity:
    """The token's identity, or Unauthorized saying what is wrong with it."""
    return _verified(secret, token, audience, now)[0]


def _verified(secret: str, token: str, audience: str, now: float | None) -> tuple[Identity, int]:
    claims = _claims(secret, token, audience, now)
    roles = claims.get("roles") or []
    if not isinstance(claims.get("sub"), str) or not isinstance(roles, list):
        raise Unauthorized("The internal token is malformed.")
    identity = Identity(subject=claims["sub"], roles=tuple(str(role) for role in roles))
    return identity, int(claims["exp"])


class VerifiedTokens:
    """Tokens this process has verified, until they expire.

    A caller keeps one token for many calls (common.service_client renews it
    shortly before `exp`), so verifying its signature once is enough: the
    same string with the same secret and audience verifies the same way again
    until its `exp` (plus the leeway) has passed, which is still checked on
    every request. Only tokens that verified are kept; `size` bounds memory."""

    def __init__(self, secret: str, audience: str, size: int = 4096) -> None:
        self.secret, self.audience, self.size = secret, audience, size
        self._known: dict[str, tuple[Identity, int]] = {}

    def identity(self, token: str) -> Identity:
        known = self._known.get(token)
        if known is not None:
            if known[1] + LEEWAY_SECONDS < time.time():
                self._known.pop(token, None)
                raise Unauthorized("The internal token has expired.")
            return known[0]
        identity, expires = _verified(self.secret, token, self.audience, None)
        if len(self._known) >= self.size:
            self._known.clear()  # rare, and each caller's next call verifies once again
        self._known[token] = (identity, expires)
        return identity


def _bearer() -> str:
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        raise Unauthorized("This service needs an internal token (Authorization: Bearer …).")
    return header.removeprefix("Bearer ").strip()


def authenticate_request(secret: str, audience: str) -> Identity:
    return verify_token(secret, _bearer(), audience=audience)


def install_token_check(app: Any, secret: str, audience: str, open_paths: Iterable[str]) -> None:
    """Verify the token on every request except the operational endpoints."""
    exempt = tuple(open_paths)
    tokens = VerifiedTokens(secret, audience)

    @app.before_request
    def _check_token() -> None:
        if request.path.startswith(exempt):
            return
        g.identity = tokens.identity(_bearer())


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
