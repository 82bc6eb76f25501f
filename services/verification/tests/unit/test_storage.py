"""The encrypted picture store on its own: a temporary directory, no database."""

from __future__ import annotations

import stat

import pytest
from cryptography.fernet import Fernet

from verification.storage import EncryptedStore, keyring

KEY = Fernet.generate_key().decode()


def test_a_file_no_key_opens_is_reported_and_kept(tmp_path) -> None:
    stranger = EncryptedStore(tmp_path, keyring((Fernet.generate_key().decode(),)))
    name = stranger.put(b"someone else's")
    store = EncryptedStore(tmp_path, keyring((KEY,)))
    ours = store.put(b"ours")
    report = store.rotate()
    assert report.rotated == 1 and report.unreadable == [name]
    assert stranger.get(name) == b"someone else's" and store.get(ours) == b"ours"


def test_stored_files_are_readable_by_the_service_alone(tmp_path) -> None:
    store = EncryptedStore(tmp_path / "files", keyring((KEY,)))
    name = store.put(b"picture")
    path = tmp_path / "files" / name[:2] / name
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_a_stored_name_is_never_taken_from_outside(tmp_path) -> None:
    store = EncryptedStore(tmp_path, keyring((KEY,)))
    with pytest.raises(ValueError):
        store.get("../../etc/passwd")
