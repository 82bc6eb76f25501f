"""The Flask skeleton every service shares.

`create_service_app` returns an app with the problem+json error registrar,
request ids in logs and responses, internal-token checks, `/healthz`,
`/readyz` (each readiness check named), `/metrics` (Prometheus: requests and,
given the outbox's database, the relay's backlog), the
OpenAPI document at `/openapi.json` and a plain HTML rendering of it at
`/docs` that needs no JavaScript and no outside CDN.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    g,
    jsonify,
    render_template_string,
    request,
)
from flask_smorest import Api
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from sqlalchemy import text
from sqlalchemy.engine import Engine

from common.auth import install_token_check
from common.errors import problem, register_error_handlers
from common.input_guard import install_input_guard
from common.logging import correlation_id_var, request_id_var, service_context
from common.outbox_metrics import watch_outbox

ReadinessCheck = Callable[[], None]
OPEN_PATHS = ("/healthz", "/readyz", "/metrics", "/openapi.json", "/docs")


def create_service_app(
    name: str,
    *,
    title: str,
    internal_token_secret: str,
    readiness: Mapping[str, ReadinessCheck],
    version: str = "1.0.0",
    config: Mapping[str, Any] | None = None,
    verify_internal_tokens: bool = True,
    open_paths: Sequence[str] = (),
    outbox_engine: Engine | None = None,
) -> tuple[Flask, Api]:
    """The shared skeleton; `verify_internal_tokens=False` only for the public gateway,
    which authenticates browsers and API clients itself and signs tokens for others.

    `open_paths` are path prefixes that need no internal token because their
    callers prove themselves another way (a payment or courier company's signed
    webhooks); their views check that proof themselves."""
    app = Flask(name)
    app.config.update(
        API_TITLE=title,
        API_VERSION=version,
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/",
        OPENAPI_JSON_PATH="openapi.json",
        INTERNAL_TOKEN_SECRET=internal_token_secret,
        JSON_SORT_KEYS=False,
    )
    app.config.update(config or {})
    api = Api(app)
    app.extensions["licensing_api"] = api
    register_error_handlers(app)
    _install_request_context(app)
    _name_the_service_in_logs(app, name)
    if verify_internal_tokens:
        install_token_check(
            app, internal_token_secret, audience=name, open_paths=(*OPEN_PATHS, *open_paths)
        )
    install_input_guard(app)
    _install_metrics(app, name)
    if outbox_engine is not None:
        watch_outbox(app.extensions["metrics_registry"], outbox_engine)
    app.register_blueprint(_operations_blueprint(readiness))
    return app, api


def _name_the_service_in_logs(app: Flask, name: str) -> None:
    """Every line logged while this app handles a request names this service,
    even when other services' apps run in the same process (`make run`)."""
    wsgi_app = app.wsgi_app

    def named(environ: Any, start_response: Any) -> Any:
        with service_context(name):
            return wsgi_app(environ, start_response)

    app.wsgi_app = named  # type: ignore[method-assign]


def _install_request_context(app: Flask) -> None:
    @app.before_request
    def _bind_ids() -> None:
        g.request_id = request.headers.get("X-Request-ID") or uuid.uuid4().hex
        g._request_id_token = request_id_var.set(g.request_id)
        g._correlation_token = correlation_id_var.set(request.headers.get("X-Correlation-ID"))

    @app.after_request
    def _echo_id(response: Response) -> Response:
        if "request_id" in g:
            response.headers["X-Request-ID"] = g.request_id
        return response

    @app.teardown_request
    def _unbind_ids(_error: BaseException | None) -> None:
        for var, key in (
            (request_id_var, "_request_id_token"),
            (correlation_id_var, "_correlation_token"),
        ):
            token = g.pop(key, None)
            if token is not None:
                var.reset(token)


def _install_metrics(app: Flask, name: str) -> None:
    # A registry per app: the one-process mode hosts several apps side by side.
    registry = CollectorRegistry()
    requests_total = Counter(
        "http_requests_total", "HTTP requests", ["method", "endpoint", "status"], registry=registry
    )
    latency = Histogram(
        "http_request_duration_seconds", "HTTP request latency", ["endpoint"], registry=registry
    )
    app.extensions["metrics_registry"] = registry

    @app.before_request
    def _start_timer() -> None:
        g._started = time.perf_counter()

    @app.after_request
    def _observe(response: Response) -> Response:
        endpoint = request.endpoint or "unmatched"
        requests_total.labels(request.method, endpoint, str(response.status_code)).inc()
        if "_started" in g:
            latency.labels(endpoint).observe(time.perf_counter() - g._started)
        return response


def database_check(engine: Engine) -> ReadinessCheck:
    def check() -> None:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    return check


def _operations_blueprint(readiness: Mapping[str, ReadinessCheck]) -> Blueprint:
    ops = Blueprint("operations", __name__)

    @ops.get("/healthz")
    def healthz() -> Response:
        return jsonify(status="ok")

    @ops.get("/readyz")
    def readyz() -> Response:
        failures = {}
        for check_name, check in readiness.items():
            try:
                check()
            except Exception as exc:  # a readiness probe reports, it does not raise
                failures[check_name] = [f"{type(exc).__name__}: {exc}"[:300]]
        if failures:
            return problem(
                503, "Not ready", "Some dependencies are not reachable.", errors=failures
            )
        return jsonify(status="ready", checks=sorted(readiness))

    @ops.get("/metrics")
    def metrics() -> Response:
        registry = current_app.extensions["metrics_registry"]
        return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)

    @ops.get("/docs")
    def docs() -> str:
        spec = current_app.extensions["licensing_api"].spec.to_dict()
        return render_template_string(DOCS_TEMPLATE, spec=spec)

    return ops


DOCS_TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ spec.info.title }} API</title>
<style>
body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#1b1b1b}
code{background:#f3f3f3;padding:.1rem .3rem}
.op{border-left:4px solid #005ea5;padding:.2rem 1rem;margin:1rem 0}
.method{font-weight:700;text-transform:uppercase}
</style></head>
<body><main>
<h1>{{ spec.info.title }} <small>{{ spec.info.version }}</small></h1>
<p>The machine-readable document is at <a href="openapi.json">openapi.json</a>.</p>
{% for path, ops in spec.paths.items() %}
  {% for method, op in ops.items() if method in ["get","post","put","patch","delete"] %}
  <section class="op" aria-labelledby="op-{{ loop.index }}-{{ path|replace('/','-') }}">
    <h2 id="op-{{ loop.index }}-{{ path|replace('/','-') }}"><span class="method">{{ method }}</span> <code>{{ path }}</code></h2>
    {% if op.summary %}<p>{{ op.summary }}</p>{% endif %}
    {% if op.description %}<p>{{ op.description }}</p>{% endif %}
    <p>Answers: {% for code in op.responses %}<code>{{ code }}</code> {% endfor %}</p>
  </section>
  {% endfor %}
{% endfor %}
</main></body></html>"""
