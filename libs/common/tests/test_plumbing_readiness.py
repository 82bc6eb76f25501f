import pytest

from common.readiness import bus_check
from common.testing import free_port


def test_the_in_memory_bus_is_always_ready():
    bus_check("memory://", timeout=0.5)()


def test_a_broker_that_does_not_answer_is_not_ready():
    with pytest.raises(Exception):  # noqa: B017 - pika's connection errors vary by failure
        bus_check(f"amqp://guest:guest@127.0.0.1:{free_port()}/%2F", timeout=0.5)()
