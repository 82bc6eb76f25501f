"""Personal data at rest: Fernet tokens under a service's own keys.

A service that keeps something a leak must not reveal (an ID number, a
picture of an ID card) keeps it as a Fernet token (AES-128-CBC + HMAC-SHA256)
made with the keys of its `<SERVICE>_ENCRYPTION_KEYS`: comma-separated, the
first seals, every key opens, so a new key is put first, the service's
rotation re-seals what it holds, and then the old key can be dropped. Only
the one-process demo may run without keys: it makes one and keeps it beside
its data, which protects nothing and is fine for demo data only.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from common.errors import DomainError
from common.settings import Env, InvalidSetting

log = logging.getLogger("common.sealing")

FERNET_HINT = (
    "32 url-safe base64-encoded bytes; make one with: python -c 'from cryptography.fernet "
    "import Fernet; print(Fernet.generate_key().decode())'"
)


class KeyMissing(DomainError):
    """Something stored is sealed with a key no longer configured: an operator
    dropped a key before the service's rotation re-sealed it."""

    status = 503
    title = "Stored data cannot be opened with the configured keys"
    slug = "encryption-key-missing"


def keys_from(env: Env, variable: str) -> tuple[str, ...]:
    return tuple(key.strip() for key in env.str(variable, "").split(",") if key.strip())


def keyring(variable: str, keys: tuple[str, ...]) -> MultiFernet:
    """The MultiFernet of the configured keys; InvalidSetting names a bad one by position."""
    fernets = []
    for position, key in enumerate(keys, start=1):
        try:
            fernets.append(Fernet(key.encode()))
        except (ValueError, TypeError):
            raise InvalidSetting(
                variable, f"key {position} is not a Fernet key ({FERNET_HINT})"
            ) from None
    if not fernets:
        raise InvalidSetting(variable, "holds no key")
    return MultiFernet(fernets)


def demo_key(path: Path) -> str:
    """The one-process demo's key, made once in `path` and read from it afterwards."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    key = Fernet.generate_key().decode()
    with os.fdopen(descriptor, "w") as handle:
        handle.write(key + "\n")
    log.warning("demo mode: generated an encryption key at %s", path)
    return key


def opened(keys: MultiFernet, token: bytes, what: str) -> bytes:
    """The plain bytes of a token; KeyMissing (logged) when no configured key opens it."""
    try:
        return keys.decrypt(token)
    except InvalidToken:
        log.error("no configured key opens %s; restore the old key and rotate", what)
        raise KeyMissing(
            f"The {what} cannot be opened with the configured keys; "
            "restore the previous key and run the key rotation."
        ) from None
