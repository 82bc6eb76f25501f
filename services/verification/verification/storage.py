"""Pictures at rest: encrypted files under generated names.

Each picture is one file, `<root>/<2 hex>/<32 hex>`, holding a Fernet token
(AES-128-CBC + HMAC-SHA256) of the JPEG. The name is random: it says nothing
about the applicant, the document or the original file name. Keys come from
VERIFICATION_ENCRYPTION_KEYS as a MultiFernet: the first key encrypts, every
key decrypts, so a new key is put first, `python -m verification.rotate_keys`
re-encrypts every file with it, and then the old key can be dropped.

A file is written under a temporary name, flushed to disk, then renamed: a
crash never leaves half a file under a real name. Whether a database row
points at the file is the caller's business (see services.upload_document).
"""

from __future__ import annotations

import logging
import os
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.fernet import InvalidToken, MultiFernet

from common import sealing
from common.sealing import opened
from verification.settings import KEYS_VARIABLE, Settings

log = logging.getLogger("verification.storage")

NAME = re.compile(r"^[0-9a-f]{32}$")
DEMO_KEY_FILE = "demo-encryption.key"


class StoredFileMissing(LookupError):
    """A row names a file that is not there (deleted under a concurrent reader)."""


def keyring(keys: tuple[str, ...]) -> MultiFernet:
    """The MultiFernet of the configured keys; InvalidSetting names a bad one by position."""
    return sealing.keyring(KEYS_VARIABLE, keys)


def demo_key(root: Path) -> str:
    """The one-process demo's key, made once and kept beside the files it protects."""
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    return sealing.demo_key(root / DEMO_KEY_FILE)


def configured_keyring(settings: Settings) -> MultiFernet:
    """The keyring the pictures and the form's answers (sealing.py) are encrypted with."""
    keys = settings.encryption_keys
    if not keys and settings.demo_mode:
        keys = (demo_key(settings.storage_dir),)
    return keyring(keys)


def open_store(settings: Settings) -> EncryptedStore:
    return EncryptedStore(settings.storage_dir, configured_keyring(settings))


@dataclass
class RotationReport:
    rotated: int = 0
    unreadable: list[str] = field(default_factory=list)


class EncryptedStore:
    def __init__(self, root: Path, keys: MultiFernet) -> None:
        self.root = root
        self._keys = keys
        root.mkdir(parents=True, exist_ok=True, mode=0o700)

    def put(self, plaintext: bytes) -> str:
        """Encrypt and store; the new file's generated name."""
        name = secrets.token_hex(16)
        self._write(name, self._keys.encrypt(plaintext))
        return name

    def get(self, name: str) -> bytes:
        try:
            token = self._path(name).read_bytes()
        except FileNotFoundError:
            raise StoredFileMissing(name) from None
        return opened(self._keys, token, "picture")

    def delete(self, name: str) -> None:
        """Remove a file; a missing one is already gone. Failures are logged, not raised:
        a leftover encrypted file is garbage, never a wrong answer."""
        try:
            self._path(name).unlink(missing_ok=True)
        except OSError as exc:
            log.error(
                "could not delete a stored file: %s", type(exc).__name__, extra={"file": name}
            )

    def exists(self, name: str) -> bool:
        return self._path(name).is_file()

    def names(self) -> Iterator[str]:
        for folder in sorted(self.root.iterdir()):
            if folder.is_dir() and len(folder.name) == 2:
                for path in sorted(folder.iterdir()):
                    if NAME.match(path.name):
                        yield path.name

    def names_by_folder(self) -> Iterator[tuple[str, list[str]]]:
        """(two-hex prefix, names in that folder), one folder at a time."""
        for folder in sorted(self.root.iterdir()):
            if folder.is_dir() and len(folder.name) == 2:
                yield folder.name, [p.name for p in sorted(folder.iterdir()) if NAME.match(p.name)]

    def modified_at(self, name: str) -> float:
        """When the file was written (seconds since the epoch); +inf when it is gone."""
        try:
            return self._path(name).stat().st_mtime
        except FileNotFoundError:
            return float("inf")

    def rotate(self) -> RotationReport:
        """Re-encrypt every file with the first key; files no key opens are reported, kept."""
        report = RotationReport()
        for name in self.names():
            try:
                token = self._path(name).read_bytes()
                rotated = self._keys.rotate(token)
            except FileNotFoundError:
                continue  # deleted (replaced) while we walked: nothing to rotate
            except InvalidToken:
                report.unreadable.append(name)
                continue
            self._write(name, rotated, replace=True)
            report.rotated += 1
        return report

    def _path(self, name: str) -> Path:
        if not NAME.match(name):
            raise ValueError("not a stored file name")
        return self.root / name[:2] / name

    def _write(self, name: str, token: bytes, *, replace: bool = False) -> None:
        path = self._path(name)
        path.parent.mkdir(exist_ok=True, mode=0o700)
        temporary = path.with_name(f".{name}.{secrets.token_hex(4)}.tmp")
        try:
            descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(token)
                handle.flush()
                os.fsync(handle.fileno())
            if replace and not path.exists():
                return  # deleted while being rotated: do not bring it back
            os.replace(temporary, path)
        finally:
            temporary.unlink(missing_ok=True)
