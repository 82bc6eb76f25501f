"""Readiness checks a service's /health/ready runs besides its database's."""

from __future__ import annotations

from common.events.amqp import connection_parameters
from common.web import ReadinessCheck


def bus_check(url: str, timeout: float) -> ReadinessCheck:
    """Open and close a broker connection; the in-memory bus is always there."""

    def check() -> None:
        if not url.startswith(("amqp://", "amqps://")):
            return
        import pika

        params = connection_parameters(url)
        params.socket_timeout = timeout
        params.stack_timeout = timeout
        params.retry_delay = 0
        pika.BlockingConnection(params).close()

    return check
