"""Who may see or change a case, and when a case takes uploads at all."""

from __future__ import annotations

import time

import pytest

FRONT = "id_card_front"


def test_a_call_without_a_token_is_refused(client) -> None:
    answer = client.get("/cases/anything")
    assert answer.status_code == 401
    assert answer.mimetype == "application/problem+json"


def test_a_token_for_another_service_is_refused(client, headers) -> None:
    answer = client.get("/cases/anything", headers=headers("applicant", audience="orders"))
    assert answer.status_code == 401


def test_an_expired_token_is_refused(client, headers) -> None:
    expired = headers("applicant", now=time.time() - 3600, ttl_seconds=60)
    assert client.get("/cases/anything", headers=expired).status_code == 401


def test_the_owner_sees_the_case_with_every_required_document(orders, uploads) -> None:
    order_id = orders.draft()
    answer = uploads.get(f"/cases/{order_id}")
    assert answer.status_code == 200
    assert answer.json == {
        "order_id": order_id,
        "reference": f"LT-{order_id[:8]}",
        "status": "collecting",
        "complete": False,
        "revision": 1,
        "round": 0,
        "resubmission_deadline": None,
        "documents": [
            {
                "code": code,
                "title": answer.json["documents"][index]["title"],
                "status": "missing",
                "uploaded_at": None,
                "width": None,
                "height": None,
                "size_bytes": None,
                "verdict": None,
                "replaced": False,
            }
            for index, code in enumerate(("id_card_front", "id_card_back", "selfie_with_id_card"))
        ],
    }
    assert answer.json["documents"][0]["title"]["en"] == "ID card, photo side"


PATHS = ["", f"/documents/{FRONT}/image", f"/documents/{FRONT}/thumbnail"]


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize(
    ("subject", "roles"),
    [
        ("applicant-2", ("applicant",)),  # another applicant
        ("applicant-1", ("public",)),  # the right id without the applicant role
        ("staff-3", ("production",)),  # staff with no business with ID photos
        ("staff-4", ("dispatcher",)),
    ],
)
def test_anyone_but_the_owner_and_reviewing_staff_is_told_the_case_does_not_exist(
    orders, uploads, photo, path, subject, roles
) -> None:
    order_id = orders.draft()
    uploads.uploaded(order_id, FRONT, photo())
    answer = uploads.get(f"/cases/{order_id}{path}", subject=subject, roles=roles)
    assert answer.status_code == 404
    assert answer.mimetype == "application/problem+json"


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("role", ["reviewer", "supervisor"])
def test_reviewers_and_supervisors_may_look(orders, uploads, photo, path, role) -> None:
    order_id = orders.draft()
    uploads.uploaded(order_id, FRONT, photo())
    answer = uploads.get(f"/cases/{order_id}{path}", subject="staff-1", roles=(role,))
    assert answer.status_code == 200


@pytest.mark.parametrize(
    ("subject", "roles"),
    [("applicant-2", ("applicant",)), ("staff-1", ("reviewer",)), ("staff-2", ("supervisor",))],
)
def test_only_the_owner_may_upload_or_delete(
    orders, uploads, photo, snapshot, subject, roles
) -> None:
    order_id = orders.draft()
    uploads.uploaded(order_id, FRONT, photo(seed=1))
    before = snapshot()
    answer = uploads.put(order_id, FRONT, photo(seed=2), subject=subject, roles=roles)
    assert answer.status_code == 404
    assert uploads.delete(order_id, FRONT, subject=subject, roles=roles).status_code == 404
    assert snapshot() == before


def test_a_case_that_does_not_exist_is_not_found(uploads) -> None:
    assert uploads.get("/cases/no-such-order").status_code == 404


def test_an_upload_before_the_case_opens_asks_to_try_again(uploads, photo, snapshot) -> None:
    before = snapshot()
    answer = uploads.put("order-not-opened-yet", FRONT, photo())
    assert answer.status_code == 409
    assert answer.json["type"] == "/problems/case-not-ready"
    assert snapshot() == before


def test_an_upload_for_a_document_the_item_does_not_ask_for_is_not_found(
    orders, uploads, photo, snapshot
) -> None:
    order_id = orders.draft()
    before = snapshot()
    answer = uploads.put(order_id, "vehicle_photo", photo())
    assert answer.status_code == 404
    assert "vehicle_photo" in answer.json["detail"]
    assert uploads.delete(order_id, "vehicle_photo").status_code == 404
    assert snapshot() == before


def test_an_uploaded_document_without_a_picture_has_no_image(orders, uploads) -> None:
    order_id = orders.draft()
    answer = uploads.get(f"/cases/{order_id}/documents/{FRONT}/image")
    assert answer.status_code == 404


def test_a_locked_case_refuses_uploads_and_deletions(orders, uploads, photo, snapshot) -> None:
    order_id = orders.draft()
    uploads.uploaded(order_id, FRONT, photo(seed=1))
    orders.awaiting_payment(order_id)
    before = snapshot()
    answer = uploads.put(order_id, FRONT, photo(seed=2))
    assert answer.status_code == 409
    assert answer.json["type"] == "/problems/case-locked"
    assert answer.json["errors"] == {"status": ["locked"]}
    assert uploads.delete(order_id, FRONT).status_code == 409
    assert snapshot() == before
    assert uploads.get(f"/cases/{order_id}").json["status"] == "locked"
    assert uploads.get(f"/cases/{order_id}/documents/{FRONT}/image").status_code == 200


@pytest.mark.parametrize("how", ["orders.cancelled", "orders.closed_unpaid", "orders.discarded"])
def test_a_closed_case_refuses_uploads_and_deletions(orders, uploads, photo, snapshot, how) -> None:
    order_id = orders.draft()
    uploads.uploaded(order_id, FRONT, photo(seed=1))
    orders.closed(order_id, how)
    before = snapshot()
    answer = uploads.put(order_id, "id_card_back", photo(seed=2))
    assert answer.status_code == 409
    assert answer.json["type"] == "/problems/case-closed"
    assert uploads.delete(order_id, FRONT).status_code == 409
    assert snapshot() == before
