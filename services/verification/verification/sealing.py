"""The form's answers at rest: one Fernet token per case, under the pictures' keys.

The answers hold the applicant's name and ID number, so the database keeps
them only as a token of their JSON (`cases.answers_sealed`), made with the
keyring of VERIFICATION_ENCRYPTION_KEYS (storage.configured_keyring): the
first key seals, every key opens, and `python -m verification.rotate_keys`
re-seals every case's answers with the first key, as it re-encrypts the
pictures. Code that reads the answers unseals them where it uses them and
never writes the clear text back.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cryptography.fernet import MultiFernet

from common.settings import Env
from verification.settings import Settings, keys_from, storage_dir_from
from verification.storage import configured_keyring, demo_key, keyring, opened

Answers = list[dict[str, Any]]


class AnswerSeal:
    def __init__(self, keys: MultiFernet) -> None:
        self._keys = keys

    def seal(self, answers: Answers) -> str:
        """The answers as a Fernet token under the first key."""
        return self._keys.encrypt(json.dumps(answers, ensure_ascii=False).encode()).decode()

    def unseal(self, token: str | None) -> Answers:
        """The answers of a token any configured key opens; none stored is no answer.
        A token no key opens is a 503 `encryption-key-missing` (common.sealing.KeyMissing)."""
        if token is None:
            return []
        answers: Answers = json.loads(opened(self._keys, token.encode(), "form's answers"))
        return answers

    def reseal(self, token: str) -> str:
        """The same answers under the first key (for the key rotation)."""
        return self._keys.rotate(token.encode()).decode()


def open_seal(settings: Settings) -> AnswerSeal:
    return AnswerSeal(configured_keyring(settings))


def seal_from_env(env: Env | None = None) -> AnswerSeal | None:
    """The seal from the environment's keys alone (the migration reads nothing else):
    VERIFICATION_ENCRYPTION_KEYS, or in DEMO_MODE the demo key; None without keys."""
    env = env or Env()
    keys = keys_from(env)
    if not keys and env.bool("DEMO_MODE"):
        keys = (demo_key(Path(storage_dir_from(env, True))),)
    return AnswerSeal(keyring(keys)) if keys else None
