"""Argon2id password hashes (RFC 9106), in the standard `$argon2id$…` encoding.

argon2-cffi is the declared dependency and is used whenever it is installed.
Where it is not (a bare system Python), the same reference C library is
reached through ctypes from the system's libargon2; both read and write the
same encoded strings, so hashes move freely between the two.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import secrets
from typing import Protocol

TIME_COST = 3
MEMORY_COST_KIB = 65536
PARALLELISM = 4
HASH_LENGTH = 32
SALT_LENGTH = 16


class PasswordHasher(Protocol):
    def hash(self, password: str) -> str: ...

    def verify(self, encoded: str, password: str) -> bool: ...


class _Argon2Cffi:
    def __init__(self) -> None:
        import argon2

        self._exceptions = argon2.exceptions
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
        except (self._exceptions.VerificationError, self._exceptions.InvalidHashError):
            return False


class _SystemLibargon2:
    _ARGON2_ID = 2
    _OK = 0

    def __init__(self) -> None:
        path = ctypes.util.find_library("argon2")
        if path is None:
            raise ImportError("neither argon2-cffi nor the system libargon2 is installed")
        lib = ctypes.CDLL(path)
        lib.argon2id_hash_encoded.argtypes = [
            ctypes.c_uint32,
            ctypes.c_uint32,
            ctypes.c_uint32,
            ctypes.c_char_p,
            ctypes.c_size_t,
            ctypes.c_char_p,
            ctypes.c_size_t,
            ctypes.c_size_t,
            ctypes.c_char_p,
            ctypes.c_size_t,
        ]
        lib.argon2id_hash_encoded.restype = ctypes.c_int
        lib.argon2id_verify.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_size_t]
        lib.argon2id_verify.restype = ctypes.c_int
        lib.argon2_encodedlen.argtypes = [ctypes.c_uint32] * 5 + [ctypes.c_int]
        lib.argon2_encodedlen.restype = ctypes.c_size_t
        self._lib = lib

    def hash(self, password: str) -> str:
        secret = password.encode()
        salt = secrets.token_bytes(SALT_LENGTH)
        size = self._lib.argon2_encodedlen(
            TIME_COST, MEMORY_COST_KIB, PARALLELISM, SALT_LENGTH, HASH_LENGTH, self._ARGON2_ID
        )
        out = ctypes.create_string_buffer(size)
        status = self._lib.argon2id_hash_encoded(
            TIME_COST,
            MEMORY_COST_KIB,
            PARALLELISM,
            secret,
            len(secret),
            salt,
            len(salt),
            HASH_LENGTH,
            out,
            size,
        )
        if status != self._OK:
            raise RuntimeError(f"argon2 hashing failed with code {status}")
        return out.value.decode()

    def verify(self, encoded: str, password: str) -> bool:
        if not encoded.startswith("$argon2id$"):
            return False
        secret = password.encode()
        return bool(self._lib.argon2id_verify(encoded.encode(), secret, len(secret)) == self._OK)


def make_hasher() -> PasswordHasher:
    try:
        return _Argon2Cffi()
    except ImportError:
        return _SystemLibargon2()
