"""Every text field of every service's API refuses control characters the same way.

Each installed service's app is built as the one-process mode builds it
(tests/in_process.py), and
its own OpenAPI document is walked: every string in a JSON or form body
(nested objects and lists included), every string path variable and every
documented query parameter gets a NUL, and the answer must be a 422 naming
exactly that field, before any view runs. A new endpoint or field is covered
as soon as it is documented.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from common.input_guard import REFUSAL

from ..in_process import WEB_SERVICES, internal_headers, service_apps

SERVICES = WEB_SERVICES
NUL = "\x00"
FORMS = ("multipart/form-data", "application/x-www-form-urlencoded")


@pytest.fixture(scope="module")
def apps(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Flask]]:
    with service_apps(tmp_path_factory.mktemp("guard")) as running:
        yield running.apps


def _probes(spec: dict[str, Any]) -> Iterator[tuple[str, str, str, dict[str, Any]]]:
    """(method, url, field, request kwargs) for each text the API documents."""
    for template, operations in spec["paths"].items():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            parameters = [*operations.get("parameters", []), *operation.get("parameters", [])]
            url = re.sub(r"{[^}]+}", "x", template)
            for parameter in parameters:
                if parameter.get("schema", {}).get("type") not in (None, "string"):
                    continue
                name = parameter["name"]
                if parameter["in"] == "path":
                    yield method, template.replace(f"{{{name}}}", "a%00b"), name, {}
                elif parameter["in"] == "query":
                    yield method, url, name, {"query_string": {name: NUL}}
            for media, content in operation.get("requestBody", {}).get("content", {}).items():
                schema = _resolve(spec, content.get("schema", {}))
                for path in _string_paths(spec, schema, "", depth=0):
                    if media == "application/json":
                        yield method, url, path, {"json": _nest(path, NUL)}
                    elif media in FORMS and "." not in path:
                        yield method, url, path, {"data": {path: NUL}}


def _resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    for combined in ("allOf", "oneOf", "anyOf"):
        if combined in schema:
            return _resolve(spec, schema[combined][0])
    return schema


def _string_paths(
    spec: dict[str, Any], schema: dict[str, Any], prefix: str, depth: int
) -> Iterator[str]:
    schema = _resolve(spec, schema)
    if depth > 4:
        return
    kind = schema.get("type")
    if kind == "string" and schema.get("format") != "binary":
        yield prefix or "_schema"
    elif kind == "array":
        yield from _string_paths(
            spec, schema.get("items", {}), f"{prefix}.0" if prefix else "0", depth + 1
        )
    elif kind == "object" or "properties" in schema:
        for name, inner in schema.get("properties", {}).items():
            if _resolve(spec, inner).get("readOnly"):
                continue
            yield from _string_paths(spec, inner, f"{prefix}.{name}" if prefix else name, depth + 1)
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):  # a map such as a form's answers: any key, these values
            yield from _string_paths(spec, extra, f"{prefix}.key" if prefix else "key", depth + 1)


def _nest(path: str, value: Any) -> Any:
    """{"a": {"b": [value]}} for "a.b.0"."""
    head, _, rest = path.partition(".")
    inner = _nest(rest, value) if rest else value
    return [inner] if head.isdigit() else {head: inner}


def _headers(app: Flask, service: str) -> dict[str, str]:
    return internal_headers(app.config["INTERNAL_TOKEN_SECRET"], service, subject="fuzz")


@pytest.mark.parametrize("service", SERVICES)
def test_every_documented_text_refuses_a_control_character(apps, service):
    app = apps[service]
    spec = app.extensions["licensing_api"].spec.to_dict()
    probes = list(_probes(spec))
    assert probes, f"{service} documents no text field"
    client = app.test_client()
    wrong: list[str] = []
    for method, url, field, kwargs in probes:
        answer = client.open(url, method=method.upper(), headers=_headers(app, service), **kwargs)
        errors = (answer.get_json(silent=True) or {}).get("errors")
        if answer.status_code != 422 or errors != {field: [REFUSAL]}:
            wrong.append(f"{method.upper()} {url} {field}: {answer.status_code} {errors}")
    assert not wrong, "\n".join(wrong)
