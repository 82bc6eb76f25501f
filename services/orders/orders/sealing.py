"""The form's answers at rest: sealed under ORDERS_ENCRYPTION_KEYS.

The answers hold the applicant's name, ID number and mobile number, so the
database keeps them only as a Fernet token of their JSON (`orders.answers`
holds the token as a JSON string); the ORM hands the code a dict as before
(`SealedJson`), so nothing above the model sees a token. The keys are the
process's: `configure(settings)` runs wherever orders starts (web app, worker,
migration) before anything reads an order. The first key seals, every key
opens; `python -m orders.rotate_keys` re-seals every order under the first
key so that an old one can be dropped.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cryptography.fernet import MultiFernet
from sqlalchemy import JSON
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from common import sealing
from common.settings import Env, MissingSetting

KEYS_VARIABLE = "ORDERS_ENCRYPTION_KEYS"
DEMO_KEY_FILE = "orders-encryption.key"


class _Keys:
    """The process's keyring; one per process, as the engine is."""

    ring: MultiFernet | None = None


def configure_from_env(env: Env | None = None) -> MultiFernet:
    """Read ORDERS_ENCRYPTION_KEYS (in DEMO_MODE a kept demo key when none is set)."""
    env = env or Env()
    keys = sealing.keys_from(env, KEYS_VARIABLE)
    if not keys and env.bool("DEMO_MODE"):
        keys = (sealing.demo_key(Path(env.str("RUN_DATA_DIR", "var/run")) / DEMO_KEY_FILE),)
    if not keys:
        # Never invent a key outside the demo: answers sealed with a key nobody
        # configured could not be read by the next deployment.
        raise MissingSetting(KEYS_VARIABLE)
    _Keys.ring = sealing.keyring(KEYS_VARIABLE, keys)
    return _Keys.ring


def _ring() -> MultiFernet:
    if _Keys.ring is None:
        configure_from_env()
    assert _Keys.ring is not None
    return _Keys.ring


def seal(value: Any) -> str:
    return _ring().encrypt(json.dumps(value, ensure_ascii=False).encode()).decode()


def unseal(token: str) -> Any:
    return json.loads(sealing.opened(_ring(), token.encode(), "form's answers"))


def reseal(token: str) -> str:
    """The same answers under the first key (for the key rotation)."""
    return _ring().rotate(token.encode()).decode()


class SealedJson(TypeDecorator[Any]):
    """A JSON value stored as a Fernet token, itself a JSON string in a JSON column
    (so that sealing needs no change of the column, which SQLite could only make
    by rebuilding a table other tables point at)."""

    impl = JSON
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> Any:
        return dialect.type_descriptor(JSONB() if dialect.name == "postgresql" else JSON())

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else seal(value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> Any:
        return None if value is None else unseal(value)
