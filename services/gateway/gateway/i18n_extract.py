"""How `make messages` finds the keys in the gateway's Python (babel.cfg names it).

Babel's own Python extractor joins every string it meets inside a call, so
`_t("order_status." + status)` would give a key "order_status." and
`translate("a" if staff else "b")` a key "ab". Keys are literals or they are
computed (and listed in message_keys.py), so this reads the syntax tree and
takes only a literal first argument, or both literal branches of a conditional.
"""

from __future__ import annotations

import ast
from collections.abc import Collection, Iterator
from typing import IO, Any


def extract_keys(
    fileobj: IO[bytes], keywords: Collection[str], comment_tags: Any, options: Any
) -> Iterator[tuple[int, str, str, list[str]]]:
    tree = ast.parse(fileobj.read())
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and node.args):
            continue
        name = _called_name(node.func)
        if name in keywords:
            for key in _literals(node.args[0]):
                yield node.lineno, name, key, []


def _called_name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    return func.attr if isinstance(func, ast.Attribute) else ""


def _literals(argument: ast.expr) -> list[str]:
    if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
        return [argument.value]
    if isinstance(argument, ast.IfExp):
        return _literals(argument.body) + _literals(argument.orelse)
    return []
