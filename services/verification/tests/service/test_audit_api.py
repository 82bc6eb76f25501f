"""Every picture staff see is on the record, and supervisors read the record."""

from __future__ import annotations

import csv
import io

import pytest

from .reviewing import REVIEWER, SUPERVISOR, Staff, audit_actions, submitted_case


@pytest.fixture
def case(orders, uploads, photo) -> str:
    return submitted_case(orders, uploads, photo)


@pytest.mark.parametrize("kind", ["image", "thumbnail"])
def test_each_picture_served_to_staff_is_audited(case, client, db, kind) -> None:
    reviewer = Staff(client, REVIEWER, "reviewer")
    answer = reviewer.get(f"/cases/{case}/documents/id_card_front/{kind}")
    assert answer.status_code == 200 and answer.mimetype == "image/jpeg"
    assert audit_actions(db, case) == [(REVIEWER, "document.viewed")]


def test_the_applicant_looking_at_their_own_pictures_is_not_audited(case, uploads, db) -> None:
    assert uploads.get(f"/cases/{case}/documents/id_card_front/image").status_code == 200
    assert audit_actions(db, case) == []


def test_a_supervisor_reads_the_log_newest_first_and_filtered(case, client, clock) -> None:
    reviewer = Staff(client, REVIEWER, "reviewer")
    reviewer.claim(case)
    reviewer.get(f"/cases/{case}/documents/id_card_back/thumbnail")
    supervisor = Staff(client, SUPERVISOR, "supervisor")
    log = supervisor.ok("get", "/audit")
    assert [entry["action"] for entry in log["entries"]] == ["document.viewed", "case.claimed"]
    assert log["entries"][0]["document_code"] == "id_card_back"
    assert log["page"] == log["pages"] == 1
    only = supervisor.ok("get", f"/audit?action=case.claimed&actor={REVIEWER}&order_id={case}")
    assert [entry["action"] for entry in only["entries"]] == ["case.claimed"]
    assert supervisor.ok("get", "/audit?actor=nobody")["entries"] == []


def test_the_log_exports_as_csv(case, client) -> None:
    Staff(client, REVIEWER, "reviewer").claim(case)
    answer = Staff(client, SUPERVISOR, "supervisor").get("/audit.csv")
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    assert answer.headers["Content-Disposition"] == 'attachment; filename="audit.csv"'
    rows = list(csv.DictReader(io.StringIO(answer.get_data(as_text=True))))
    assert [(row["actor_id"], row["action"], row["order_id"]) for row in rows] == [
        (REVIEWER, "case.claimed", case)
    ]


@pytest.mark.parametrize("role", ["reviewer", "production", "applicant"])
def test_only_supervisors_read_the_log(client, role) -> None:
    someone = Staff(client, "someone", role)
    assert someone.get("/audit").status_code == 403
    assert someone.get("/audit.csv").status_code == 403


def test_a_bad_filter_is_refused_naming_it(client) -> None:
    answer = Staff(client, SUPERVISOR, "supervisor").get("/audit?since=yesterday")
    assert answer.status_code == 422 and "since" in answer.json["errors"]
