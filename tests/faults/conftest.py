"""The fault tests run for minutes (workers killed and restarted, connections
cut), longer than an internal token lives: their reads sign a fresh token for
every request instead of holding one for the session."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from common.processes import Stack
from common.testing_http import service_session


@pytest.fixture(scope="session")
def catalog_item(stack: Stack) -> Iterator[Callable[[str], dict[str, Any]]]:
    """Read an item straight from the catalog, with a token fresh for each read."""
    with service_session(stack.secret, audience="catalog", subject="tests") as catalog:

        def read(code: str) -> dict[str, Any]:
            answer = catalog.get(f"{stack.url('catalog')}/items/{code}", timeout=10)
            assert answer.status_code == 200, answer.text
            return answer.json()  # type: ignore[no-any-return]

        yield read
