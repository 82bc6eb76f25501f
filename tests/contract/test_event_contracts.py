"""Every producer's examples fit the schemas of every consumer that reads them.

Producers declare `SCHEMAS` and `EXAMPLES` in `<service>.events`; consumers
declare what they read in `<service>.handlers.CONSUMED`. Services are found
through the `licensing.services` entry points, so a new service is covered as
soon as it is installed.
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from types import ModuleType

import pytest

from common.launcher import discover_services

EVENTS_MD = (Path(__file__).resolve().parents[2] / "docs" / "events.md").read_text()
SERVICES = sorted(discover_services())


def _module(service: str, name: str) -> ModuleType | None:
    try:
        return importlib.import_module(f"{service}.{name}")
    except ModuleNotFoundError:
        return None


PRODUCERS = {s: m for s in SERVICES if (m := _module(s, "events")) and hasattr(m, "SCHEMAS")}
# Every service with a handlers module consumes: what its worker binds is BINDINGS.
CONSUMERS = {s: m for s in SERVICES if (m := _module(s, "handlers"))}
PUBLISHED = {t: (s, m) for s, m in PRODUCERS.items() for t in m.SCHEMAS}
CONSUMED = [(s, t) for s, m in CONSUMERS.items() for t in getattr(m, "BINDINGS", ())]


def test_there_are_producers_and_consumers_to_check():
    assert PRODUCERS and CONSUMERS


@pytest.mark.parametrize("consumer", sorted(CONSUMERS))
def test_each_consumer_binds_the_events_it_handles(consumer):
    assert CONSUMERS[consumer].BINDINGS, f"{consumer}.handlers binds nothing"


@pytest.mark.parametrize(
    ("consumer", "event_type"),
    [(s, t) for s, m in CONSUMERS.items() for t in getattr(m, "CONSUMED", {})],
)
def test_each_schema_a_consumer_declares_is_for_an_event_it_binds(consumer, event_type):
    assert event_type in CONSUMERS[consumer].BINDINGS, (
        f"{consumer} declares what it reads of {event_type} but never binds it"
    )


@pytest.mark.parametrize("event_type", sorted(PUBLISHED))
def test_each_published_event_has_an_example_that_fits_its_own_schema(event_type):
    _service, events = PUBLISHED[event_type]
    example = events.EXAMPLES[event_type]
    assert events.SCHEMAS[event_type]().validate(example) == {}


@pytest.mark.parametrize("event_type", sorted(PUBLISHED))
def test_each_published_event_is_documented_with_every_field_of_its_example(event_type):
    assert f"`{event_type}`" in EVENTS_MD
    _service, events = PUBLISHED[event_type]
    missing = [field for field in events.EXAMPLES[event_type] if f'"{field}"' not in EVENTS_MD]
    assert not missing, f"{event_type}: {missing} are not in docs/events.md"


@pytest.mark.parametrize(("consumer", "event_type"), CONSUMED)
def test_each_event_a_consumer_binds_has_a_schema_of_what_it_reads(consumer, event_type):
    assert event_type in CONSUMERS[consumer].CONSUMED, (
        f"{consumer} binds {event_type} but declares no schema of what it reads"
    )


@pytest.mark.parametrize(("consumer", "event_type"), CONSUMED)
def test_each_consumed_event_is_documented_for_its_producer_to_honour(consumer, event_type):
    assert f"`{event_type}`" in EVENTS_MD


def _documented_example(event_type: str) -> dict:
    """The JSON example that follows the event's entry under "Consumed by …"."""
    start = EVENTS_MD.index(f"`{event_type}` (producer:")
    block = EVENTS_MD.index("```json", start) + len("```json")
    return json.loads(EVENTS_MD[block : EVENTS_MD.index("```", block)])


def _example_for(event_type: str) -> dict:
    # Once the producer is installed its own example is the contract; until
    # then the consumer's documented expectation is what the producer must honour.
    if event_type in PUBLISHED:
        _producer, events = PUBLISHED[event_type]
        return events.EXAMPLES[event_type]  # type: ignore[no-any-return]
    return _documented_example(event_type)


@pytest.mark.parametrize(("consumer", "event_type"), CONSUMED)
def test_the_producers_example_loads_through_the_consumers_schema(consumer, event_type):
    schema = CONSUMERS[consumer].CONSUMED[event_type]()
    assert schema.validate(_example_for(event_type)) == {}
