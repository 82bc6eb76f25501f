"""What the review console's case page needs from verification: pictures in
server-made sizes and quarter turns, every verdict of a case in one request
(all or nothing), a picture view recorded once per person per case per hour,
and the full ID number for the case's assignee alone."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from PIL import Image

from .conftest import APPLICANT, ID_NUMBER
from .reviewing import (
    OTHER_REVIEWER,
    REVIEWER,
    SUPERVISOR,
    Staff,
    audit_actions,
    problem_slug,
    submitted_case,
)

ID_CHECK = "id_number_matches_id_card"
SELFIE = "selfie_with_id_card"
CARD = "id_card_front"


@pytest.fixture
def reviewer(client):
    return Staff(client, REVIEWER, "reviewer")


@pytest.fixture
def claimed(orders, uploads, photo, reviewer) -> str:
    order_id = submitted_case(orders, uploads, photo)
    reviewer.claim(order_id)
    return order_id


@pytest.fixture
def big_photo_case(orders, uploads, photo, reviewer) -> str:
    """A case whose ID card photo is a phone's 4032 × 3024."""
    order_id = orders.draft()
    for seed, code in enumerate(("id_card_front", "id_card_back", SELFIE)):
        size = {"width": 4032, "height": 3024} if code == CARD else {}
        uploads.uploaded(order_id, code, photo(seed, **size))
    orders.awaiting_payment(order_id)
    orders.submitted(order_id)
    reviewer.claim(order_id)
    return order_id


def _size(answer) -> tuple[int, int]:
    assert answer.status_code == 200, answer.data[:300]
    assert answer.mimetype == "image/jpeg"
    with Image.open(io.BytesIO(answer.data)) as picture:
        return picture.size


def _picture(staff: Staff, order_id: str, code: str = CARD, **query):
    return staff.get(f"/cases/{order_id}/documents/{code}/image", **query)


# --- renditions ---------------------------------------------------------------------


def test_a_fit_rendition_of_a_phone_photo_is_bounded_and_full_keeps_it(
    big_photo_case, reviewer
) -> None:
    assert _size(_picture(reviewer, big_photo_case, size="fit")) == (1280, 960)
    assert _size(_picture(reviewer, big_photo_case, size="large")) == (2400, 1800)
    assert _size(_picture(reviewer, big_photo_case, size="full")) == (4032, 3024)
    assert _size(_picture(reviewer, big_photo_case)) == (4032, 3024)  # as before: the original


def test_a_small_photo_is_never_enlarged_and_comes_back_as_stored(claimed, reviewer) -> None:
    full = _picture(reviewer, claimed)
    fit = _picture(reviewer, claimed, size="fit")
    assert _size(fit) == (1024, 768)
    assert fit.data == full.data


def test_quarter_turns_are_clockwise(claimed, reviewer) -> None:
    upright = Image.open(io.BytesIO(_picture(reviewer, claimed).data)).convert("RGB")
    turned = Image.open(
        io.BytesIO(_picture(reviewer, claimed, size="fit", rotate=90).data)
    ).convert("RGB")
    assert turned.size == (768, 1024)
    # Clockwise: the upright picture's bottom-left corner is the turned one's top-left.
    assert _close(turned.getpixel((0, 0)), upright.getpixel((0, 767)))
    assert _size(_picture(reviewer, claimed, rotate=180)) == (1024, 768)
    assert _size(_picture(reviewer, claimed, rotate=270)) == (768, 1024)


def _close(one, other, tolerance: int = 40) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(one, other, strict=True))


@pytest.mark.parametrize(
    ("query", "field"),
    [({"size": "huge"}, "size"), ({"rotate": "45"}, "rotate"), ({"rotate": "x"}, "rotate")],
)
def test_an_unknown_size_or_turn_is_refused_naming_it(claimed, reviewer, query, field) -> None:
    answer = _picture(reviewer, claimed, **query)
    assert answer.status_code == 422
    assert field in str(answer.json["errors"])


def test_renditions_keep_the_picture_s_access_rules(claimed, client, headers) -> None:
    # The owner may see their own pictures in any size; other applicants and other
    # staff roles are told the case does not exist.
    owner = client.get(
        f"/cases/{claimed}/documents/{CARD}/image?size=fit&rotate=90",
        headers=headers("applicant", subject=APPLICANT),
    )
    assert owner.status_code == 200
    for role, subject in (("applicant", "someone-else"), ("production", "prod-1")):
        answer = client.get(
            f"/cases/{claimed}/documents/{CARD}/image?size=fit",
            headers=headers(role, subject=subject),
        )
        assert answer.status_code == 404


# --- a picture view is recorded once per person per case per hour --------------------


def test_a_picture_view_is_audited_once_per_person_per_case_per_hour(
    claimed, reviewer, client, db, clock
) -> None:
    for _ in range(2):  # two page loads of every picture, in two sizes
        for code in (CARD, "id_card_back", SELFIE):
            _size(_picture(reviewer, claimed, code, size="fit"))
        _size(_picture(reviewer, claimed, CARD, size="large"))
    supervisor = Staff(client, SUPERVISOR, "supervisor")
    _size(_picture(supervisor, claimed, SELFIE, size="fit"))
    views = [entry for entry in audit_actions(db, claimed) if entry[1] == "document.viewed"]
    assert views == [(REVIEWER, "document.viewed"), (SUPERVISOR, "document.viewed")]

    clock.advance(timedelta(minutes=59))
    _size(_picture(reviewer, claimed, size="fit"))
    assert len([e for e in audit_actions(db, claimed) if e[1] == "document.viewed"]) == 2
    clock.advance(timedelta(minutes=2))
    _size(_picture(reviewer, claimed, size="fit"))
    assert len([e for e in audit_actions(db, claimed) if e[1] == "document.viewed"]) == 3


# --- the assignee sees the ID number ---------------------------------------------------


def test_the_assignee_sees_the_full_id_number_audited_once_per_case(claimed, reviewer, db) -> None:
    for _ in range(3):
        review = reviewer.ok("get", f"/reviews/{claimed}?unmask_for_assignee=1")
        id_answer = next(a for a in review["answers"] if a["name"] == "id_number")
        assert id_answer["value"] == ID_NUMBER
        assert id_answer["masked"] and id_answer["revealed"]
    reveals = [entry for entry in audit_actions(db, claimed) if entry[1] == "answer.revealed"]
    assert reveals == [(REVIEWER, "answer.revealed")]
    entry = next(e for e in review["history"] if e["action"] == "answer.revealed")
    assert entry["reason"] == "assigned-reviewer" and entry["field"] == "id_number"
    # Without asking, the API answers masked as before.
    plain = reviewer.ok("get", f"/reviews/{claimed}")
    assert next(a for a in plain["answers"] if a["name"] == "id_number")["value"] != ID_NUMBER


def test_anyone_but_the_assignee_gets_the_masked_number(claimed, client, db) -> None:
    other = Staff(client, OTHER_REVIEWER, "reviewer")
    supervisor = Staff(client, SUPERVISOR, "supervisor")
    for staff in (other, supervisor):
        review = staff.ok("get", f"/reviews/{claimed}?unmask_for_assignee=1")
        id_answer = next(a for a in review["answers"] if a["name"] == "id_number")
        assert id_answer["value"] == "110***********1234" and not id_answer["revealed"]
    # A reviewer not assigned cannot reveal it with a reason either; a supervisor can.
    refused = other.post(f"/reviews/{claimed}/reveal", {"field": "id_number", "reason": "curious"})
    assert refused.status_code == 409 and problem_slug(refused) == "not-assignee"
    assert "field" in refused.json["errors"]
    shown = supervisor.ok(
        "post", f"/reviews/{claimed}/reveal", {"field": "id_number", "reason": "spot check"}
    )
    assert shown["value"] == ID_NUMBER
    assert audit_actions(db, claimed).count((OTHER_REVIEWER, "answer.revealed")) == 0


def test_a_closed_case_is_no_longer_shown_in_full_to_its_reviewer(claimed, reviewer) -> None:
    reviewer.accept_everything(claimed)
    assert reviewer.decide(claimed, "approve").status_code == 200
    review = reviewer.ok("get", f"/reviews/{claimed}?unmask_for_assignee=1")
    assert next(a for a in review["answers"] if a["name"] == "id_number")["value"] != ID_NUMBER
    assert review["closed_because"] == "approved" and review["closed_at"]


# --- every verdict in one request ------------------------------------------------------


def _verdicts(reviewer: Staff, order_id: str, verdicts, checks=()):
    return reviewer.put(
        f"/reviews/{order_id}/verdicts", {"verdicts": list(verdicts), "checks": list(checks)}
    )


def test_all_verdicts_and_the_check_in_one_request(claimed, reviewer, db) -> None:
    answer = _verdicts(
        reviewer,
        claimed,
        [
            {"code": CARD, "verdict": "accepted"},
            {"code": "id_card_back", "verdict": "accepted", "reason_code": "", "note": ""},
            {"code": SELFIE, "verdict": "refused", "reason_code": "blurred", "note": "Too dark."},
        ],
        [{"code": ID_CHECK, "result": "match"}],
    )
    assert answer.status_code == 200, answer.json
    documents = {doc["code"]: doc["verdict"] for doc in answer.json["documents"]}
    assert documents[SELFIE]["reason_code"] == "blurred"
    assert documents[CARD]["verdict"] == "accepted"
    assert answer.json["checks"][0]["result"] == "match"
    written = [a for _, a in audit_actions(db, claimed)]
    assert written.count("document.verdict") == 3 and written.count("check.recorded") == 1

    again = _verdicts(reviewer, claimed, [{"code": CARD, "verdict": "accepted"}])
    assert again.status_code == 200
    assert [a for _, a in audit_actions(db, claimed)] == written  # nothing changed, nothing added


def test_one_bad_verdict_refuses_them_all_naming_the_photo_and_field(
    claimed, reviewer, snapshot
) -> None:
    before = snapshot()
    answer = _verdicts(
        reviewer,
        claimed,
        [
            {"code": CARD, "verdict": "accepted"},
            {"code": SELFIE, "verdict": "refused"},
            {"code": "id_card_back", "verdict": "maybe"},
            {"code": "passport", "verdict": "accepted"},
        ],
        [{"code": ID_CHECK, "result": "perhaps"}, {"code": "plate_matches_car_photo"}],
    )
    assert answer.status_code == 422
    assert set(answer.json["errors"]) == {
        f"verdicts.{SELFIE}.reason_code",
        "verdicts.id_card_back.verdict",
        "verdicts.passport.code",
        f"checks.{ID_CHECK}.result",
        "checks.plate_matches_car_photo.code",
        "checks.plate_matches_car_photo.result",
    }
    assert snapshot() == before


def test_batch_verdicts_are_the_assignee_s_and_need_something(claimed, client, reviewer) -> None:
    other = Staff(client, OTHER_REVIEWER, "reviewer")
    taken = _verdicts(other, claimed, [{"code": CARD, "verdict": "accepted"}])
    assert taken.status_code == 409 and problem_slug(taken) == "not-assignee"
    empty = _verdicts(reviewer, claimed, [])
    assert empty.status_code == 422 and "verdicts" in empty.json["errors"]
