"""The catalog service as orders sees it: one read, `GET /items/<code>`.

This is the one place that knows the catalog's JSON. The HTTP exchange is
common.service_client.ServiceClient's: an internal token of orders' own
(audience catalog, subject `orders`, role `service`), a timeout on every call,
and retries with backoff (urllib3's Retry) when the catalog cannot be reached
or answers 502/503/504, since this is a safe read. A 404 is "not on sale";
any other refusal, or a catalog that stays down, is a 503 for orders' caller,
never a 500: orders asked nothing the caller could put right.

Items read while a draft is started or edited are kept per process for
ORDERS_CATALOG_CACHE_SECONDS (common.cache.TTLCache): a draft's snapshot is
refreshed on every change and frozen only at submission, so a few seconds of
staleness there changes nothing that is promised. The submission reads the
catalog afresh (`fresh=True`, which also refreshes the cache): the catalog
lets a fee take effect at once (an `effective_from` of "now"), so a cached item
could miss a fee version already in force and lock a superseded price.
Only items found are kept: an item just put on sale is seen at once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import quote

from common.cache import TTLCache
from common.errors import UpstreamUnavailable
from common.service_client import ServiceClient, ServiceError, ServiceNotFound

log = logging.getLogger("orders.catalog")

SUBJECT = "orders"
ROLES = ("service",)


@dataclass(frozen=True)
class CatalogItem:
    code: str
    status: str
    revision: int
    title: dict[str, str]
    sla_working_days: int
    required_documents: list[dict[str, Any]]
    form_fields: list[dict[str, Any]]
    delivery_options: list[dict[str, Any]]
    fee: dict[str, Any] | None
    upcoming_fee: dict[str, Any] | None

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> CatalogItem:
        return cls(
            code=raw["code"],
            status=raw["status"],
            revision=int(raw["revision"]),
            title={"zh": raw["title"]["zh"], "en": raw["title"]["en"]},
            sla_working_days=int(raw["sla_working_days"]),
            required_documents=[
                {"code": doc["code"], "title": doc["title"]} for doc in raw["required_documents"]
            ],
            form_fields=list(raw["form_fields"]),
            delivery_options=[
                {
                    "code": option["code"],
                    "kind": option["kind"],
                    "title": option.get("title"),
                    "office": option.get("office"),
                    "fee_fen": option.get("fee_fen"),
                    "carrier": option.get("carrier"),
                }
                for option in raw["delivery_options"]
            ],
            fee=_fee(raw.get("fee")),
            upcoming_fee=_fee(raw.get("upcoming_fee")),
        )


def _fee(raw: dict[str, Any] | None) -> dict[str, Any] | None:
    if raw is None:
        return None
    return {
        "version": int(raw["version"]),
        "production_cost_fen": int(raw["production_cost_fen"]),
        "courier_fee_fen": int(raw["courier_fee_fen"]),
        "approval_reference": str(raw["approval_reference"]),
        "effective_from": str(raw["effective_from"]),
    }


class Reader(Protocol):
    """What the client needs of common's ServiceClient (tests give a fake)."""

    def get(self, path: str) -> Any: ...


class CatalogClient:
    def __init__(
        self,
        base_url: str,
        token_secret: str,
        *,
        timeout_seconds: float = 3.0,
        read_retries: int = 2,
        backoff_seconds: float = 0.1,
        cache: TTLCache | None = None,
        service: Reader | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._service: Reader = service or ServiceClient(
            self.base_url,
            audience="catalog",
            token_secret=token_secret,
            subject=SUBJECT,
            roles=ROLES,
            timeout=(timeout_seconds, timeout_seconds),
            retries=max(read_retries, 0),
            backoff=backoff_seconds,
        )
        self._cache = cache or TTLCache(0)

    def item(self, code: str, *, fresh: bool = False) -> CatalogItem | None:
        """The published item, or None when the catalog has no such item on sale.

        Served from the per-process cache unless `fresh` (the submission's
        read, which must see the fee in force now); a fresh read refreshes it."""
        if fresh or not self._cache.enabled:
            found = self._read_item(code)
            if found is None:
                self._cache.forget(code)
            else:
                self._cache.put(code, found)
            return found
        cached: CatalogItem | None = self._cache.get_or_load(code, lambda: self._read_item(code))
        if cached is None:
            self._cache.forget(code)  # not on sale: ask again next time
        return cached

    def _read_item(self, code: str) -> CatalogItem | None:
        try:
            raw = self._service.get(f"/items/{quote(code, safe='')}")
        except ServiceNotFound:
            return None
        except ServiceError as refused:
            # ServiceClient logged an unreachable or failing catalog; a 4xx other
            # than 404 means orders' own call is wrong, which its caller cannot mend.
            log.error(
                "the catalog refused orders' read",
                extra={"upstream": "catalog", "status": refused.upstream_status},
            )
            raise _unavailable() from None
        try:
            return CatalogItem.from_json(raw)
        except (ValueError, KeyError, TypeError) as exc:
            log.error("the catalog's item is not as expected", extra={"error": repr(exc)[:200]})
            raise _unavailable() from None


def _unavailable() -> UpstreamUnavailable:
    return UpstreamUnavailable("The catalog is unavailable right now; try again in a moment.")
