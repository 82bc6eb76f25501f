"""Pieces the other schema modules share."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields


class LooseIn(Schema):
    """An input that ignores fields it does not know (the gateway may send more)."""

    class Meta:
        unknown = EXCLUDE


class LocalTextOut(Schema):
    zh = fields.String()
    en = fields.String()
