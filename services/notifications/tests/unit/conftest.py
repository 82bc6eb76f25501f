"""Unit tests run without a database or a network: common's `no_network` fixture
fails any test that opens a connection, so the layer's promise is kept."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _unit_tests_open_no_connection(no_network: None) -> None:
    pass
