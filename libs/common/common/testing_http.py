"""Serve a real WSGI app over HTTP in a thread, for tests that call a service
the way another service does."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from werkzeug.serving import make_server

from common.testing import free_port


def serve_in_thread(app: Any, port: int | None = None) -> tuple[str, Callable[[], None]]:
    """Serve `app` on 127.0.0.1 (a free port unless given); returns its URL and a stop()."""
    port = port or free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def stop() -> None:
        server.shutdown()
        thread.join(timeout=5)

    return f"http://127.0.0.1:{port}", stop
