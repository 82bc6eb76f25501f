"""The verdicts of a whole case in one request: a verdict per document and a
result per answer check, all written or none.

The review page shows every photo of a case at once and sends its verdicts
with one button. Every item is checked before anything is written; a refusal
names the document or check and the field (`verdicts.<code>.<field>`,
`checks.<code>.<field>`, the flat keys of docs/api.md). Only what changed is
written and audited, so saving the same form twice adds nothing to the history.
"""

from __future__ import annotations

from typing import Any

from common.auth import Identity
from common.db import UnitOfWork
from common.errors import InvalidInput
from verification import domain
from verification.decisions import apply_check, apply_verdict, verdict_problems
from verification.domain import CheckResult, Verdict
from verification.models import Case
from verification.review import (
    ReviewPolicy,
    checks_of,
    require_reviewer,
    review_view,
    workable_case,
)

Problems = dict[str, list[str]]
_VERDICTS = tuple(v.value for v in Verdict)
_RESULTS = tuple(r.value for r in CheckResult)


def give_verdicts(
    uow: UnitOfWork, order_id: str, values: dict[str, Any], identity: Identity, policy: ReviewPolicy
) -> dict[str, Any]:
    """Write every verdict and check of `values`, or refuse them all with 422."""
    require_reviewer(identity)
    verdicts = [_blanks_as_none(item) for item in values.get("verdicts") or []]
    checks = [_blanks_as_none(item) for item in values.get("checks") or []]
    with uow:
        case = workable_case(uow, order_id, identity)
        known_checks = checks_of(case, policy.answers(case))
        problems = {
            **_verdicts_problems(case, verdicts),
            **_checks_problems(known_checks, checks),
        }
        if not verdicts and not checks:
            problems["verdicts"] = ["Give at least one verdict or check."]
        if problems:
            raise InvalidInput("Some verdicts are not right; none was saved.", errors=problems)
        documents = {document.code: document for document in case.documents}
        for item in verdicts:
            document = documents[item["code"]]
            if _changed_verdict(document, item):
                apply_verdict(uow, case, document, _verdict_values(item), identity)
        recorded = {check.code: check for check in case.checks}
        for item in checks:
            check = recorded.get(item["code"])
            if check is None or (check.result, check.note) != (item["result"], item.get("note")):
                apply_check(uow, case, item["code"], item, identity)
        view = review_view(uow, case, policy)
        uow.commit()
    return view


def _blanks_as_none(item: Any) -> Any:
    """An empty text is no text: a form's untouched reason and note."""
    if not isinstance(item, dict):
        return item
    return {name: (None if value == "" else value) for name, value in item.items()}


def _verdict_values(item: dict[str, Any]) -> dict[str, Any]:
    return {
        "verdict": item["verdict"],
        "reason_code": item.get("reason_code"),
        "note": item.get("note"),
    }


def _changed_verdict(document: Any, item: dict[str, Any]) -> bool:
    now = (document.verdict, document.verdict_reason_code, document.verdict_note)
    return now != (item["verdict"], item.get("reason_code"), item.get("note"))


def _verdicts_problems(case: Case, items: list[Any]) -> Problems:
    uploaded = {document.code for document in case.documents}
    problems: Problems = {}
    seen: set[str] = set()
    for index, item in enumerate(items):
        code = item.get("code") if isinstance(item, dict) else None
        if not isinstance(code, str) or not code:
            problems[f"verdicts.{index}.code"] = ["Name the document."]
            continue
        prefix = f"verdicts.{code}"
        if code in seen:
            problems[f"{prefix}.code"] = ["The document has two verdicts."]
        elif code not in case.required_codes:
            problems[f"{prefix}.code"] = ["The case has no such document."]
        elif code not in uploaded:
            problems[f"{prefix}.code"] = ["The document has no picture to judge."]
        seen.add(code)
        problems.update(_prefixed(prefix, _one_verdict_problems(item)))
    return problems


def _one_verdict_problems(item: dict[str, Any]) -> Problems:
    text_problems = _text_problems(item, ("reason_code", "note"))
    if text_problems:
        return text_problems
    verdict = item.get("verdict")
    if verdict not in _VERDICTS:
        return {"verdict": [f"One of {', '.join(_VERDICTS)}."]}
    return verdict_problems(verdict, item.get("reason_code"), item.get("note"))


def _checks_problems(known: list[str], items: list[Any]) -> Problems:
    problems: Problems = {}
    seen: set[str] = set()
    for index, item in enumerate(items):
        code = item.get("code") if isinstance(item, dict) else None
        if not isinstance(code, str) or not code:
            problems[f"checks.{index}.code"] = ["Name the check."]
            continue
        prefix = f"checks.{code}"
        if code in seen:
            problems[f"{prefix}.code"] = ["The check has two results."]
        elif code not in known:
            problems[f"{prefix}.code"] = ["The case has no such check."]
        seen.add(code)
        found = _text_problems(item, ("note",))
        if item.get("result") not in _RESULTS:
            found["result"] = [f"One of {', '.join(_RESULTS)}."]
        note = item.get("note")
        if isinstance(note, str) and len(note) > domain.NOTE_MAX:
            found["note"] = [f"At most {domain.NOTE_MAX} characters."]
        problems.update(_prefixed(prefix, found))
    return problems


def _text_problems(item: dict[str, Any], names: tuple[str, ...]) -> Problems:
    return {
        name: ["Must be text."]
        for name in names
        if item.get(name) is not None and not isinstance(item.get(name), str)
    }


def _prefixed(prefix: str, problems: Problems) -> Problems:
    return {f"{prefix}.{name}": messages for name, messages in problems.items()}
