"""A small time-to-live cache for the catalog's public reads.

The store front is read far more often than it changes, and every read would
otherwise cost an HTTP hop to the catalog. Each gateway process keeps what it
read for a few seconds (GATEWAY_CATALOG_CACHE_SECONDS); a staff change made
through a process clears that process's cache at once, and other processes
show it when their entries expire. Staff reads never go through the cache.

The cache itself is common.cache.TTLCache (orders uses it too).
"""

from __future__ import annotations

from common.cache import TTLCache

__all__ = ["TTLCache"]
