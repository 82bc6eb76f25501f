"""A list's page number is bounded before the gateway asks a service for it:
the services refuse a page past 99,999 (an SQL OFFSET past a bigint was a
500, found by the fuzz suite), and the gateway says so itself, naming the field."""

from __future__ import annotations

import pytest
from marshmallow import ValidationError

from gateway.inbox_schemas import FailuresQuery
from gateway.inbox_schemas import PageQuery as InboxPageQuery
from gateway.ratings_schemas import PageQuery as RatingsPageQuery
from gateway.ratings_schemas import RatingsQuery

SCHEMAS = [InboxPageQuery, FailuresQuery, RatingsPageQuery, RatingsQuery]


@pytest.mark.parametrize("schema", SCHEMAS)
@pytest.mark.parametrize("page", [0, 100_000, 956087265045552955392])
def test_a_page_out_of_range_is_refused_naming_it(schema, page):
    with pytest.raises(ValidationError) as refused:
        schema().load({"page": page})
    assert "page" in refused.value.messages


@pytest.mark.parametrize("schema", SCHEMAS)
def test_the_first_and_the_last_page_are_taken(schema):
    assert schema().load({"page": 1})["page"] == 1
    assert schema().load({"page": 99_999})["page"] == 99_999
