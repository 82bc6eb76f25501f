"""Argon2id password hashes (RFC 9106), in the standard `$argon2id$…` encoding."""

from __future__ import annotations

from typing import Protocol

import argon2

TIME_COST = 3
MEMORY_COST_KIB = 65536
PARALLELISM = 4
HASH_LENGTH = 32
SALT_LENGTH = 16


class PasswordHasher(Protocol):
    def hash(self, password: str) -> str: ...

    def verify(self, encoded: str, password: str) -> bool: ...


class Argon2Hasher:
    def __init__(self) -> None:
        self._hasher = argon2.PasswordHasher(
            time_cost=TIME_COST,
            memory_cost=MEMORY_COST_KIB,
            parallelism=PARALLELISM,
            hash_len=HASH_LENGTH,
            salt_len=SALT_LENGTH,
        )

    def hash(self, password: str) -> str:
        return str(self._hasher.hash(password))

    def verify(self, encoded: str, password: str) -> bool:
        try:
            return bool(self._hasher.verify(encoded, password))
        except (argon2.exceptions.VerificationError, argon2.exceptions.InvalidHashError):
            return False


def make_hasher() -> PasswordHasher:
    return Argon2Hasher()
