"""Key rotation over a running service's pictures: re-encrypted in place, still
served with the new key alone, and the command's exit status. (The store and
the settings on their own: tests/unit.)"""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet, InvalidToken

from verification import rotate_keys
from verification.app import create_app
from verification.storage import EncryptedStore, keyring

from .conftest import KEY, Uploader, stored_files

FRONT = "id_card_front"
ENVIRONMENT = {
    "VERIFICATION_DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/x",
    "BUS_URL": "memory://",
    "INTERNAL_TOKEN_SECRET": "x",
}


def test_key_rotation_re_encrypts_every_file_and_old_pictures_stay_readable(
    orders, uploads, photo, storage_dir, database_url, settings_for, clock
) -> None:
    order_id = orders.draft()
    uploads.uploaded(order_id, FRONT, photo(seed=1))
    uploads.uploaded(order_id, "id_card_back", photo(seed=2))
    picture = uploads.get(f"/cases/{order_id}/documents/{FRONT}/image").data
    before = stored_files(storage_dir)

    new_key = Fernet.generate_key().decode()
    rotation = rotate_keys.rotate(settings_for(database_url, storage_dir, keys=(new_key, KEY)))
    assert (rotation.files.rotated, rotation.files.unreadable) == (4, [])

    after = stored_files(storage_dir)
    assert set(after) == set(before)
    for name, token in after.items():
        assert token != before[name]
        Fernet(new_key.encode()).decrypt(token)
        with pytest.raises(InvalidToken):
            Fernet(KEY.encode()).decrypt(token)
    # The old key can go: a service holding only the new one serves the same picture.
    app = create_app(settings_for(database_url, storage_dir, keys=(new_key,)), clock=clock)
    try:
        served = Uploader(app.test_client()).get(f"/cases/{order_id}/documents/{FRONT}/image")
        assert served.data == picture
    finally:
        app.extensions["verification.engine"].dispose()


def test_the_rotation_command_exits_non_zero_when_a_file_is_unreadable(
    db, database_url, tmp_path, monkeypatch
) -> None:
    EncryptedStore(tmp_path, keyring((Fernet.generate_key().decode(),))).put(b"lost")
    for name, value in {**ENVIRONMENT, "VERIFICATION_DATABASE_URL": database_url,
                        "VERIFICATION_STORAGE_DIR": str(tmp_path),
                        "VERIFICATION_ENCRYPTION_KEYS": KEY, "LOG_FORMAT": "text"}.items():  # fmt: skip
        monkeypatch.setenv(name, value)
    with pytest.raises(SystemExit) as exited:
        rotate_keys.main()
    assert exited.value.code == 1
