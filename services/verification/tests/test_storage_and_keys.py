"""Encryption at rest, key rotation, and the settings that configure them."""

from __future__ import annotations

import stat

import pytest
from cryptography.fernet import Fernet, InvalidToken

from common.settings import Env, InvalidSetting, MissingSetting
from verification import rotate_keys
from verification.app import create_app
from verification.settings import Settings
from verification.storage import DEMO_KEY_FILE, EncryptedStore, keyring, open_store

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


def test_a_file_no_key_opens_is_reported_and_kept(tmp_path) -> None:
    stranger = EncryptedStore(tmp_path, keyring((Fernet.generate_key().decode(),)))
    name = stranger.put(b"someone else's")
    store = EncryptedStore(tmp_path, keyring((KEY,)))
    ours = store.put(b"ours")
    report = store.rotate()
    assert report.rotated == 1 and report.unreadable == [name]
    assert stranger.get(name) == b"someone else's" and store.get(ours) == b"ours"


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


# --- settings ------------------------------------------------------------------------


def test_outside_demo_mode_the_keys_are_required() -> None:
    environment = {**ENVIRONMENT, "VERIFICATION_STORAGE_DIR": "/srv/files"}
    with pytest.raises(MissingSetting) as missing:
        Settings.from_env(Env(environment))
    assert missing.value.name == "VERIFICATION_ENCRYPTION_KEYS"


def test_outside_demo_mode_the_storage_directory_is_required() -> None:
    with pytest.raises(MissingSetting) as missing:
        Settings.from_env(Env({**ENVIRONMENT, "VERIFICATION_ENCRYPTION_KEYS": KEY}))
    assert missing.value.name == "VERIFICATION_STORAGE_DIR"


def test_a_malformed_key_stops_the_service_naming_the_variable(tmp_path) -> None:
    environment = {
        **ENVIRONMENT,
        "VERIFICATION_STORAGE_DIR": str(tmp_path),
        "VERIFICATION_ENCRYPTION_KEYS": f"{KEY},not-a-key",
    }
    settings = Settings.from_env(Env(environment))
    assert settings.encryption_keys == (KEY, "not-a-key")
    with pytest.raises(InvalidSetting) as invalid:
        open_store(settings)
    assert invalid.value.name == "VERIFICATION_ENCRYPTION_KEYS"
    assert "key 2" in str(invalid.value) and KEY not in str(invalid.value)
    assert KEY not in repr(settings)


def test_in_demo_mode_a_key_is_made_once_and_kept_beside_the_files(tmp_path) -> None:
    environment = {**ENVIRONMENT, "DEMO_MODE": "true", "RUN_DATA_DIR": str(tmp_path)}
    settings = Settings.from_env(Env(environment))
    assert settings.storage_dir == tmp_path / "verification-files"
    name = open_store(settings).put(b"demo picture")
    key_file = settings.storage_dir / DEMO_KEY_FILE
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert open_store(Settings.from_env(Env(environment))).get(name) == b"demo picture"


def test_limits_below_one_are_refused() -> None:
    environment = {**ENVIRONMENT, "DEMO_MODE": "true", "VERIFICATION_MIN_WIDTH": "0"}
    with pytest.raises(InvalidSetting) as invalid:
        Settings.from_env(Env(environment))
    assert invalid.value.name == "VERIFICATION_MIN_WIDTH"


def test_the_limits_are_read_from_the_environment() -> None:
    environment = {
        **ENVIRONMENT,
        "DEMO_MODE": "true",
        "VERIFICATION_MAX_UPLOAD_BYTES": "2000000",
        "VERIFICATION_MAX_PIXELS": "1000000",
        "VERIFICATION_MIN_WIDTH": "800",
        "VERIFICATION_MIN_HEIGHT": "600",
    }
    settings = Settings.from_env(Env(environment))
    assert (settings.max_upload_bytes, settings.max_pixels) == (2_000_000, 1_000_000)
    assert (settings.min_width, settings.min_height) == (800, 600)
    assert settings.max_content_length > settings.max_upload_bytes
