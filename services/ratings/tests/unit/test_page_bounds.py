"""A list's page number is bounded: it becomes an SQL OFFSET, and one past a
bigint was a 500 (the fuzz suite found it in notifications' inbox, which
pages the same way)."""

from __future__ import annotations

import pytest
from marshmallow import ValidationError

from ratings.schemas import PageQuery, QueueQuery, RatingsQuery


@pytest.mark.parametrize("schema", [PageQuery, RatingsQuery, QueueQuery])
@pytest.mark.parametrize("page", [0, 100_000, 956087265045552955392])
def test_a_page_out_of_range_is_refused_naming_it(schema, page):
    with pytest.raises(ValidationError) as refused:
        schema().load({"page": page})
    assert "page" in refused.value.messages


@pytest.mark.parametrize("schema", [PageQuery, RatingsQuery, QueueQuery])
def test_the_first_and_the_last_page_are_taken(schema):
    assert schema().load({"page": 1})["page"] == 1
    assert schema().load({"page": 99_999})["page"] == 99_999
