"""Every operation each service documents, fuzzed from its own OpenAPI document.

schemathesis generates requests from `/openapi.json`, valid ones and ones
that break the document (bad input), and each answer must be no 5xx, a
status the operation documents, and a body matching the documented schema.
The internal services are called with a valid internal token as an
applicant and as a supervisor; the gateway's /api/v1 as a signed-in
applicant, and its staff operations as each staff role. A 5xx fails, except
a 503 the operation documents (a service it needs did not answer in time). Path variables named
like a real row (an order, an item, a document) get that row's value in some
examples, so the fuzzer reaches real data and not only 404s.

Bounded by default (FUZZ_EXAMPLES examples per operation and identity, 5,
derandomized: the same requests every run); `make fuzz` lifts the bound and
draws a fresh seed (FUZZ_SEED=random), printing it so a failure can be
replayed with FUZZ_SEED=<n>.
"""

from __future__ import annotations

import os
import random
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from .conftest import FuzzSystem

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES") or 5)
SEED = os.environ.get("FUZZ_SEED") or "fixed"


@schemathesis.check
def no_server_error(ctx: Any, response: Any, case: Any) -> bool | None:
    """schemathesis' not_a_server_error, but for the one 5xx an operation may document:
    503, a service it needs did not answer in time (on a loaded machine, it can happen)."""
    documented = case.operation.definition.raw.get("responses", {})
    if response.status_code == 503 and "503" in documented:
        return None
    return not_a_server_error(ctx, response, case)


CHECKS = [no_server_error, status_code_conformance, response_schema_conformance]
# Operations that end the caller's session or account: each example gets a new applicant.
SELF_ENDING = {("DELETE", "/api/v1/sessions/current"), ("DELETE", "/api/v1/accounts/current")}


@dataclass(frozen=True)
class Run:
    service: str
    identity: str  # "applicant" or a staff role


RUNS = [
    *(Run(service, identity) for service in ("catalog", "orders", "verification", "fulfillment",
                                             "ratings", "notifications")
      for identity in ("applicant", "supervisor")),
    *(Run("gateway", identity) for identity in ("applicant", "reviewer", "production",
                                                "dispatcher", "supervisor")),
]  # fmt: skip


def _hypothesis_settings() -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return settings(
        max_examples=EXAMPLES,
        derandomize=SEED == "fixed",
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        print_blob=False,
    )


def _seed() -> int | None:
    if SEED == "fixed":
        return None
    chosen = random.SystemRandom().randrange(2**32) if SEED == "random" else int(SEED)
    print(f"fuzz seed: FUZZ_SEED={chosen}")
    return chosen


def _operations(schema: Any, run: Run) -> Iterator[Any]:
    for result in schema.get_all_operations():
        operation = result.ok()
        if run.service == "gateway":
            if not operation.path.startswith("/api/v1/"):
                continue  # the pages are for browsers; tests/e2e drives them
            # Staff operations as each staff role; an applicant's 403 there is
            # tests/integration/test_access_matrix.py's to prove.
            if (run.identity == "applicant") == operation.path.startswith("/api/v1/staff/"):
                continue
        yield operation


def _strategy(operation: Any, hints: dict[str, tuple[str, ...]]) -> st.SearchStrategy[Any]:
    """Generated cases, and the same with real values in the path variables we know."""
    strategies = []
    names = [p.name for p in operation.path_parameters]
    known = [name for name in names if name in hints]
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
        strategies.append(operation.as_strategy(generation_mode=mode))
        if known:
            for values in _combinations(known, hints):
                strategies.append(
                    operation.as_strategy(generation_mode=mode, path_parameters=values)
                )
    return st.one_of(strategies)


def _combinations(names: list[str], hints: dict[str, tuple[str, ...]]) -> list[dict[str, str]]:
    combos: list[dict[str, str]] = [{}]
    for name in names:
        combos = [{**combo, name: value} for combo in combos for value in hints[name]]
    return combos


def _property(
    system: FuzzSystem,
    run: Run,
    app: Any,
    cases: st.SearchStrategy[Any],
    self_ending: bool,
    statuses: Counter[int],
) -> Callable[[], None]:
    """The hypothesis test of one operation: send each case, check the answer."""

    def headers() -> dict[str, str]:
        if run.service != "gateway":
            return system.internal(run.service, run.identity)
        if self_ending:
            return system.throwaway_applicant()
        return system.bearer(run.identity)

    @_hypothesis_settings()
    @given(case=cases)
    def answers_within_the_document(case: Any) -> None:
        sent = headers()
        response = case.call(app=app, headers=sent)
        statuses[response.status_code] += 1
        case.validate_response(response, checks=CHECKS, headers=sent)

    return answers_within_the_document  # type: ignore[no-any-return]


@pytest.mark.parametrize("run", RUNS, ids=lambda run: f"{run.service}-as-{run.identity}")
def test_every_documented_operation_answers_within_its_document(
    fuzz_system: FuzzSystem, run: Run
) -> None:
    app = fuzz_system.apps[run.service]
    spec = app.extensions["licensing_api"].spec.to_dict()
    schema = schemathesis.openapi.from_dict(spec)
    hints = fuzz_system.path_hints()
    chosen_seed = _seed()
    failures: list[str] = []
    operations = 0
    statuses: Counter[int] = Counter()
    for operation in _operations(schema, run):
        operations += 1
        key = (operation.method.upper(), operation.path)

        answers_within_the_document = _property(
            fuzz_system, run, app, _strategy(operation, hints), key in SELF_ENDING, statuses
        )
        if chosen_seed is not None:
            answers_within_the_document = hypothesis_seed(chosen_seed)(answers_within_the_document)
        try:
            answers_within_the_document()
        except Exception as failure:  # every operation runs; all failures are reported at the end
            failures.append(f"--- {operation.method.upper()} {operation.path}\n{failure}")
    print(
        f"{run.service} as {run.identity}: {operations} operations, answers {dict(sorted(statuses.items()))}"
    )
    assert operations, f"{run.service} documents no operation for {run.identity}"
    if (run.service, run.identity) != ("fulfillment", "applicant"):  # a draft has no job yet
        assert any(200 <= status < 300 for status in statuses), "no request was accepted"
    assert not failures, f"{len(failures)} of {operations} operations failed:\n" + "\n".join(
        failures
    )
