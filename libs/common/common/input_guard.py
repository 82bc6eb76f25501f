"""Refuse control characters at the edge, the same way in every service.

PostgreSQL refuses a NUL in text (a 500 deep in a view) while SQLite stores
it; escape sequences and other C0 controls have no place in names, answers,
codes or chat messages either. So every text a request carries — the path's
variables, the query, form fields and the JSON body, keys included — is
checked before any view runs, and a refusal is a 422 naming the field.
Newline, carriage return and tab stay allowed: they are how text has lines.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from flask import Flask, request

from common.errors import InvalidInput

# C0 controls except \t \n \r, and DEL.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
REFUSAL = "Control characters are not allowed."


class ControlCharactersRefused(InvalidInput):
    """Its own kind, so that a page can say it in the visitor's language."""

    slug = "control-characters"


def install_input_guard(app: Flask) -> None:
    """Call after the token check, so that a caller without a token hears that first."""

    @app.before_request
    def _refuse_control_characters() -> None:
        bad = sorted(set(_fields_with_control_characters()))
        if bad:
            raise ControlCharactersRefused(
                f"Check these fields: {', '.join(bad)}.", errors={name: [REFUSAL] for name in bad}
            )


def _fields_with_control_characters() -> Iterator[str]:
    for name, value in (request.view_args or {}).items():
        yield from _in_value(name, value)
    for name, value in request.args.items(multi=True):
        yield from _in_value(name, value)
    if _form_is_readable_now():
        for name, value in request.form.items(multi=True):
            # A part without a name (werkzeug keys it None) is read by no view.
            yield from _in_value(name or "", value)
    if request.is_json:
        body = request.get_json(silent=True)
        if body is not None:
            yield from _in_value("", body)


def _form_is_readable_now() -> bool:
    """A form within the request limit in force now. An upload bigger than that
    is left unread: a view may raise its own limit later (the gateway's photo
    uploads) or refuse it in its own words (a photo sent to a chat), and its
    only text is the CSRF token, which its view checks exactly."""
    if request.mimetype not in ("multipart/form-data", "application/x-www-form-urlencoded"):
        return False
    limit = request.max_content_length
    return limit is None or (request.content_length or 0) <= limit


def _in_value(path: str, value: Any) -> Iterator[str]:
    if CONTROL_CHARACTERS.search(path):
        # The name itself is bad: say where, without echoing the characters.
        yield CONTROL_CHARACTERS.sub("?", path)
    elif isinstance(value, str):
        if CONTROL_CHARACTERS.search(value):
            yield path or "_schema"
    elif isinstance(value, dict):
        for key, inner in value.items():
            yield from _in_value(f"{path}.{key}" if path else str(key), inner)
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from _in_value(f"{path}.{index}" if path else str(index), inner)
