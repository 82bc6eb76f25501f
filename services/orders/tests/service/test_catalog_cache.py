"""The per-process cache of catalog items in the app: drafts read it, the
submission never does (the cache's own rules are tests/unit/test_catalog_cache.py)."""

from __future__ import annotations

from orders.api import CONTEXT

ITEM = "driving-licence-replacement"


def _count_reads(app, monkeypatch) -> list[str]:
    catalog = app.extensions[CONTEXT].catalog
    original, reads = catalog._read_item, []

    def counting(code: str):
        reads.append(code)
        return original(code)

    monkeypatch.setattr(catalog, "_read_item", counting)
    return reads


def test_drafts_are_started_and_edited_from_the_cached_item(app, applicant, answers, monkeypatch):
    applicant.draft()  # the first read fills the cache
    reads = _count_reads(app, monkeypatch)
    order = applicant.draft()
    applicant.answer(order["id"], answers)
    applicant.deliver_to(order["id"])
    assert reads == []


def test_the_submission_reads_the_catalog_afresh(app, applicant, monkeypatch):
    order = applicant.ready()
    reads = _count_reads(app, monkeypatch)
    assert applicant.submit(order["id"]).status_code == 200
    assert reads == [ITEM]
