"""Replay dead letters: `licensing-replay --service catalog [--limit N]`.

Run it after fixing whatever made the handler fail; the letters go back to
the service's main queue with their attempts reset, and the inbox makes a
letter that was in fact handled before harmless.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence

from common.events.transport import Transport, transport_from_url


def replay(transport: Transport, service: str, limit: int | None = None) -> int:
    """Move up to `limit` (default: all) dead letters of `service` back; returns how many."""
    if limit is not None and limit < 0:
        raise ValueError("limit must not be negative")
    return transport.replay(service, limit)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="licensing-replay", description="Move a service's dead letters back to its queue."
    )
    parser.add_argument("--service", required=True, help="the consuming service, e.g. catalog")
    parser.add_argument("--limit", type=int, default=None, help="replay at most this many")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s %(message)s")
    url = os.environ.get("BUS_URL")
    if not url:
        print("licensing-replay: required environment variable BUS_URL is not set", file=sys.stderr)
        return 2
    if url.startswith("memory://"):
        print(
            "licensing-replay: a memory:// bus lives inside its process; nothing to replay",
            file=sys.stderr,
        )
        return 2
    transport = transport_from_url(url, os.environ.get("BUS_PREFIX") or "licensing")
    try:
        moved = replay(transport, args.service, args.limit)
    except LookupError as exc:
        print(f"licensing-replay: {exc}", file=sys.stderr)
        return 1
    finally:
        transport.close()
    print(f"replayed {moved} dead letters of {args.service}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
