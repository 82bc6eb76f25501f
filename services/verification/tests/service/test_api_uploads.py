"""Uploading, replacing and deleting pictures through the HTTP API, on a real
database and a real storage directory."""

from __future__ import annotations

import io
import logging

import pytest
from cryptography.fernet import Fernet
from PIL import Image
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from common.db import UnitOfWork
from verification.services import UploadTooLarge, read_upload

from ..pictures import drawing, encode, forged_png, jpeg_segments
from .conftest import KEY, stored_files

FRONT, BACK, SELFIE = "id_card_front", "id_card_back", "selfie_with_id_card"
MIB = 1024 * 1024


def gps_photo_turned_on_its_side() -> bytes:
    """A 1000×700 photo whose camera says "turn me 90° clockwise" (EXIF orientation 6),
    carrying GPS coordinates, a comment and an ICC profile; red in its stored top-left."""
    picture = drawing(1000, 700, seed=7)
    picture.paste((255, 0, 0), (0, 0, 150, 150))
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x8825] = {1: "N", 2: (36.0, 4.0, 0.0), 3: "E", 4: (120.0, 23.0, 0.0)}
    return encode(picture, exif=exif.tobytes(), comment=b"taken at home", icc_profile=b"\0" * 200)


def test_a_photo_is_stored_encrypted_and_comes_back_upright_without_its_metadata(
    orders, uploads, storage_dir
) -> None:
    order_id = orders.draft()
    document = uploads.uploaded(order_id, FRONT, gps_photo_turned_on_its_side())

    assert document["code"] == FRONT and document["status"] == "uploaded"
    assert (document["width"], document["height"]) == (700, 1000)
    files = stored_files(storage_dir)
    assert len(files) == 2  # the picture and its thumbnail
    for token in files.values():
        assert not token.startswith(b"\xff\xd8")
        assert Fernet(KEY.encode()).decrypt(token).startswith(b"\xff\xd8\xff")

    answer = uploads.get(f"/cases/{order_id}/documents/{FRONT}/image")
    assert answer.status_code == 200
    assert answer.data in [Fernet(KEY.encode()).decrypt(token) for token in files.values()]
    assert len(answer.data) == document["size_bytes"]
    served = Image.open(io.BytesIO(answer.data))
    assert served.format == "JPEG" and served.size == (700, 1000)
    assert not served.getexif() and "icc_profile" not in served.info
    assert "comment" not in served.info and b"taken at home" not in answer.data
    assert b"Exif" not in answer.data
    assert not {0xE1, 0xE2, 0xFE} & set(jpeg_segments(answer.data))  # no EXIF/XMP, ICC, comment
    # Turned clockwise: the stored top-left corner is now the top-right one.
    red, green, blue = served.convert("RGB").getpixel((700 - 40, 40))
    assert red > 200 and green < 60 and blue < 60


def test_a_thumbnail_320_pixels_wide_is_kept_and_served(orders, uploads, photo) -> None:
    order_id = orders.draft()
    uploads.uploaded(order_id, FRONT, photo(width=1600, height=1200))
    answer = uploads.get(f"/cases/{order_id}/documents/{FRONT}/thumbnail")
    assert answer.status_code == 200
    assert answer.mimetype == "image/jpeg"
    assert Image.open(io.BytesIO(answer.data)).size == (320, 240)
    assert answer.headers["Content-Disposition"] == f'inline; filename="{FRONT}.jpg"'


def test_pictures_are_served_inline_never_cached_never_sniffed(orders, uploads, photo) -> None:
    order_id = orders.draft()
    uploads.uploaded(order_id, FRONT, photo(), name="身份证 正面.JPG")
    answer = uploads.get(f"/cases/{order_id}/documents/{FRONT}/image")
    assert answer.headers["Content-Type"] == "image/jpeg"
    assert answer.headers["Content-Disposition"] == 'inline; filename="id_card_front.jpg"'
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert answer.headers["Cache-Control"] == "private, no-store"


def test_a_png_is_accepted_and_stored_as_a_jpeg(orders, uploads, photo) -> None:
    order_id = orders.draft()
    uploads.uploaded(order_id, FRONT, photo(fmt="PNG"), name="scan.png", content_type="image/png")
    answer = uploads.get(f"/cases/{order_id}/documents/{FRONT}/image")
    assert Image.open(io.BytesIO(answer.data)).format == "JPEG"


def test_a_path_in_the_file_name_is_ignored_and_never_echoed(
    orders, uploads, photo, storage_dir
) -> None:
    order_id = orders.draft()
    answer = uploads.put(order_id, FRONT, photo(), name="../../etc/passwd.jpg")
    assert answer.status_code == 201
    assert "passwd" not in answer.get_data(as_text=True)
    files = stored_files(storage_dir)
    assert len(files) == 2
    assert all(len(path.split("/")) == 2 and "passwd" not in path for path in files)
    assert not list(storage_dir.parent.rglob("passwd*"))
    served = uploads.get(f"/cases/{order_id}/documents/{FRONT}/image")
    assert "passwd" not in served.headers["Content-Disposition"]


def test_the_client_content_type_is_ignored(orders, uploads, photo) -> None:
    order_id = orders.draft()
    answer = uploads.put(order_id, FRONT, photo(), name="a.gif", content_type="text/html")
    assert answer.status_code == 201


# --- refusals --------------------------------------------------------------------

HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"


def _script_in_a_comment() -> bytes:
    return encode(drawing(seed=2), comment=b"<script>alert(1)</script>")


def _png_with_html_after_its_end() -> bytes:
    return encode(drawing(seed=3), "PNG") + b"<html><script>alert(1)</script></html>"


def _truncated_jpeg() -> bytes:
    data = encode(drawing(seed=4))
    return data[: len(data) * 2 // 3]


def _png_with_broken_pixel_data() -> bytes:
    return forged_png(800, 600, idat=b"\x78\x9c" + b"not deflate at all" * 20)


REFUSALS = [
    pytest.param(HTML, "not-an-image", id="html-renamed-jpg"),
    pytest.param(b"", "not-an-image", id="empty"),
    pytest.param(b"GIF89a" + b"\0" * 2000, "not-an-image", id="gif"),
    pytest.param(_png_with_html_after_its_end(), "polyglot", id="png-with-trailing-html"),
    pytest.param(_script_in_a_comment(), "polyglot", id="jpeg-with-script-in-comment"),
    pytest.param(forged_png(20000, 20000), "too-many-pixels", id="20000x20000-png"),
    pytest.param(encode(drawing(500, 400)), "too-small", id="500x400"),
    pytest.param(_truncated_jpeg(), "corrupt", id="truncated-jpeg"),
    pytest.param(_png_with_broken_pixel_data(), "corrupt", id="png-with-broken-pixels"),
]


@pytest.mark.parametrize(("data", "reason"), REFUSALS)
def test_a_refused_upload_names_the_file_and_the_reason_and_writes_nothing(
    orders, uploads, snapshot, data, reason
) -> None:
    order_id = orders.draft()
    before = snapshot()
    answer = uploads.put(order_id, FRONT, data, name="id.jpg")
    assert answer.status_code == 422
    assert answer.mimetype == "application/problem+json"
    assert answer.json["errors"] == {"file": [reason]}
    assert snapshot() == before


def test_a_forged_20000_pixel_square_is_refused_before_decoding(orders, uploads) -> None:
    # Its pixel data is an empty stream: decoding it would fail as corrupt, so
    # "too-many-pixels" shows the header alone decided.
    order_id = orders.draft()
    answer = uploads.put(order_id, FRONT, forged_png(20000, 20000))
    assert answer.json["errors"] == {"file": ["too-many-pixels"]}


def test_an_11_mb_file_is_refused_with_413_and_writes_nothing(orders, uploads, snapshot) -> None:
    order_id = orders.draft()
    before = snapshot()
    answer = uploads.put(order_id, FRONT, b"\xff\xd8\xff\xe0" + bytes(11 * MIB))
    assert answer.status_code == 413
    assert answer.mimetype == "application/problem+json"
    assert answer.json["type"] == "/problems/too-large"
    assert answer.json["errors"] == {"file": ["too-large"]}
    assert snapshot() == before


def test_a_file_one_byte_over_the_limit_is_refused_with_413(orders, uploads, snapshot) -> None:
    order_id = orders.draft()
    before = snapshot()
    answer = uploads.put(order_id, FRONT, b"\xff\xd8\xff\xe0" + bytes(10 * MIB - 3))
    assert answer.status_code == 413
    assert answer.json["errors"] == {"file": ["too-large"]}
    assert snapshot() == before


def test_an_upload_without_a_file_names_the_field(orders, client, headers) -> None:
    order_id = orders.draft()
    answer = client.put(
        f"/cases/{order_id}/documents/{FRONT}",
        data={"picture": "not a file"},
        content_type="multipart/form-data",
        headers=headers("applicant", subject="applicant-1"),
    )
    assert answer.status_code == 422
    assert "file" in answer.json["errors"]


def test_the_same_picture_is_refused_for_a_second_document(
    orders, uploads, photo, snapshot
) -> None:
    order_id = orders.draft()
    picture = photo(seed=11)
    uploads.uploaded(order_id, FRONT, picture)
    before = snapshot()
    answer = uploads.put(order_id, BACK, picture)
    assert answer.status_code == 422
    assert answer.json["errors"] == {"file": ["duplicate"]}
    assert snapshot() == before


def test_the_same_pixels_saved_as_a_png_with_other_metadata_are_still_a_duplicate(
    orders, uploads, photo
) -> None:
    order_id = orders.draft()
    picture = photo(seed=12)
    uploads.uploaded(order_id, FRONT, picture)
    decoded = Image.open(io.BytesIO(picture))
    resaved = encode(decoded, "PNG", pnginfo=None, dpi=(300, 300))
    answer = uploads.put(order_id, BACK, resaved, name="copy.png")
    assert answer.json["errors"] == {"file": ["duplicate"]}


def test_the_same_picture_may_be_uploaded_again_for_the_same_document(
    orders, uploads, photo
) -> None:
    order_id = orders.draft()
    uploads.uploaded(order_id, FRONT, photo(seed=13))
    uploads.uploaded(order_id, FRONT, photo(seed=13))


def test_two_different_photos_are_two_documents(orders, uploads, photo) -> None:
    order_id = orders.draft()
    uploads.uploaded(order_id, FRONT, photo(seed=1))
    uploads.uploaded(order_id, BACK, photo(seed=2))


# --- replacing and deleting ---------------------------------------------------------


def test_a_replacement_serves_the_new_picture_and_deletes_the_old_files(
    orders, uploads, photo, storage_dir
) -> None:
    order_id = orders.draft()
    uploads.uploaded(order_id, FRONT, photo(seed=1))
    first_files = set(stored_files(storage_dir))
    uploads.uploaded(order_id, FRONT, photo(seed=2, width=1200, height=900))
    files = set(stored_files(storage_dir))
    assert len(files) == 2 and not files & first_files
    served = uploads.get(f"/cases/{order_id}/documents/{FRONT}/image")
    assert Image.open(io.BytesIO(served.data)).size == (1200, 900)


def test_deleting_a_document_removes_its_files_and_marks_it_missing(
    orders, uploads, photo, storage_dir
) -> None:
    order_id = orders.draft()
    uploads.uploaded(order_id, FRONT, photo(seed=1))
    uploads.uploaded(order_id, BACK, photo(seed=2))
    assert uploads.delete(order_id, FRONT).status_code == 204
    assert len(stored_files(storage_dir)) == 2
    case = uploads.get(f"/cases/{order_id}").json
    assert [d["status"] for d in case["documents"]] == ["missing", "uploaded", "missing"]
    assert uploads.get(f"/cases/{order_id}/documents/{FRONT}/image").status_code == 404


def test_deleting_a_document_never_uploaded_changes_nothing(orders, uploads, snapshot) -> None:
    order_id = orders.draft()
    before = snapshot()
    assert uploads.delete(order_id, FRONT).status_code == 204
    assert snapshot() == before


# --- the document-set events ---------------------------------------------------------


def test_every_change_publishes_the_set_s_completeness_with_a_growing_revision(
    orders, uploads, photo, outbox_events
) -> None:
    order_id = orders.draft()
    for seed, code in enumerate((FRONT, BACK, SELFIE)):
        uploads.uploaded(order_id, code, photo(seed=seed))
    uploads.uploaded(order_id, BACK, photo(seed=9))  # a replacement
    uploads.delete(order_id, SELFIE)

    published = outbox_events()
    assert [(e["type"].split(".")[1], e["data"]["revision"]) for e in published] == [
        ("document_set_incomplete", 1),
        ("document_set_incomplete", 2),
        ("document_set_incomplete", 3),
        ("document_set_completed", 4),
        ("document_set_completed", 5),
        ("document_set_incomplete", 6),
    ]
    assert published[2]["data"] == {"order_id": order_id, "revision": 3, "missing": [SELFIE]}
    assert published[3]["data"] == {
        "order_id": order_id,
        "revision": 4,
        "documents": [FRONT, BACK, SELFIE],
    }
    assert {e["correlation_id"] for e in published} == {order_id}
    case = uploads.get(f"/cases/{order_id}").json
    assert case["revision"] == 6 and case["complete"] is False


def test_a_complete_set_shows_on_the_case(orders, uploads, photo) -> None:
    order_id = orders.draft()
    for seed, code in enumerate((FRONT, BACK, SELFIE)):
        uploads.uploaded(order_id, code, photo(seed=seed))
    case = uploads.get(f"/cases/{order_id}").json
    assert case["complete"] is True and case["status"] == "collecting"
    assert case["documents"][0] == {
        "code": FRONT,
        "title": {"zh": "居民身份证人像面", "en": "ID card, photo side"},
        "status": "uploaded",
        "uploaded_at": "2026-03-02T01:00:00+00:00",
        "width": 1024,
        "height": 768,
        "size_bytes": case["documents"][0]["size_bytes"],
        "verdict": None,
        "replaced": False,
    }


# --- failures between the files and the database ----------------------------------------


def test_when_the_commit_fails_the_files_just_written_are_removed(
    orders, uploads, photo, snapshot, monkeypatch
) -> None:
    order_id = orders.draft()
    before = snapshot()

    def fail(_uow: UnitOfWork) -> None:
        raise OperationalError("COMMIT", {}, Exception("server closed the connection"))

    monkeypatch.setattr(UnitOfWork, "commit", fail)
    answer = uploads.put(order_id, FRONT, photo())
    assert answer.status_code == 503  # the database went away: try again
    assert answer.headers["Retry-After"]
    assert snapshot() == before


def test_when_a_commit_succeeds_but_reports_failure_the_files_stay_with_their_row(
    orders, uploads, photo, storage_dir, monkeypatch
) -> None:
    order_id = orders.draft()
    commit = UnitOfWork.commit

    def commit_then_fail(uow: UnitOfWork) -> None:
        commit(uow)
        raise OperationalError("COMMIT", {}, Exception("connection lost after commit"))

    monkeypatch.setattr(UnitOfWork, "commit", commit_then_fail)
    assert uploads.put(order_id, FRONT, photo()).status_code == 503
    monkeypatch.undo()
    assert len(stored_files(storage_dir)) == 2
    assert uploads.get(f"/cases/{order_id}/documents/{FRONT}/image").status_code == 200


# --- logs ----------------------------------------------------------------------------


def test_logs_hold_neither_the_file_name_nor_the_picture(orders, uploads, photo, caplog) -> None:
    order_id = orders.draft()
    caplog.set_level(logging.DEBUG)
    picture = photo(seed=5)
    uploads.uploaded(order_id, FRONT, picture, name="张三-370202199001011234.jpg")
    uploads.put(order_id, BACK, picture, name="张三-370202199001011234.jpg")  # duplicate
    uploads.put(order_id, BACK, HTML, name="张三-370202199001011234.jpg")
    assert any("refused" in record.getMessage() for record in caplog.records)
    for record in caplog.records:
        text = record.getMessage() + repr(vars(record))
        assert "370202199001011234" not in text and "张三" not in text
        assert "\\xff\\xd8" not in text and "<script>" not in text


class CountingStream(io.BytesIO):
    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.bytes_read = 0

    def read(self, size: int | None = -1) -> bytes:
        chunk = super().read(size)
        self.bytes_read += len(chunk)
        return chunk


def test_an_oversized_spooled_file_is_refused_from_its_size_without_being_read() -> None:
    stream = CountingStream(bytes(2_000_001))
    with pytest.raises(UploadTooLarge):
        read_upload(stream, 2_000_000)
    assert stream.bytes_read == 0


def test_a_stream_that_cannot_tell_its_size_is_read_at_most_one_byte_past_the_limit() -> None:
    class Unseekable(CountingStream):
        def seek(self, *_args: object) -> int:
            raise OSError("not seekable")

    stream = Unseekable(bytes(5_000_000))
    with pytest.raises(UploadTooLarge):
        read_upload(stream, 2_000_000)
    assert stream.bytes_read == 2_000_001


def test_a_case_read_as_a_photo_lands_shows_the_case_and_its_documents_as_of_one_moment(
    orders, uploads, photo
) -> None:
    order_id = orders.draft()
    uploads.uploaded(order_id, FRONT, photo(1))
    before = uploads.get(f"/cases/{order_id}").json
    landed: list[dict] = []

    def upload_between_the_reads(_conn, _cursor, statement: str, *_args) -> None:
        # Another upload commits after the case is read and before its documents are.
        if not landed and "FROM documents" in statement:
            landed.append({})
            landed[0] = uploads.uploaded(order_id, BACK, photo(2))

    event.listen(Engine, "before_cursor_execute", upload_between_the_reads)
    try:
        seen = uploads.get(f"/cases/{order_id}").json
    finally:
        event.remove(Engine, "before_cursor_execute", upload_between_the_reads)
    assert landed and landed[0]["code"] == BACK
    assert _shown(seen) == _shown(before)
    after = uploads.get(f"/cases/{order_id}").json
    assert after["revision"] > before["revision"]
    assert [d["code"] for d in after["documents"] if d["status"] != "missing"] == [FRONT, BACK]


def _shown(case: dict) -> tuple[int, list[str]]:
    return case["revision"], [d["code"] for d in case["documents"] if d["status"] != "missing"]
