"""Re-seal every order's form answers with the first key of ORDERS_ENCRYPTION_KEYS.

    ORDERS_ENCRYPTION_KEYS=<new>,<old> python -m orders.rotate_keys

Put the new key first, restart orders' web processes and worker (they then
seal with the new key and open with both), run this, then drop the old key.
Orders no configured key opens are listed (ids) and kept; the command then
exits non-zero. Safe to run again and while orders runs: each batch is
locked while it is re-sealed.
"""

from __future__ import annotations

import logging
import sys

from cryptography.fernet import InvalidToken
from sqlalchemy import JSON, column, select, table, update
from sqlalchemy.engine import Engine

from common.db import make_engine
from common.logging import configure_logging
from common.settings import Env
from orders import sealing
from orders.settings import SERVICE

log = logging.getLogger("orders.rotate_keys")

BATCH = 100
# The raw column, below the ORM's SealedJson: the tokens themselves.
_orders = table("orders", column("id"), column("answers", JSON))


def rotate(engine: Engine) -> list[str]:
    """Re-seal every order; the ids of the orders no configured key opens."""
    unreadable: list[str] = []
    last = ""
    while True:
        with engine.begin() as conn:
            query = select(_orders.c.id, _orders.c.answers).where(_orders.c.id > last)
            if conn.dialect.name == "postgresql":
                query = query.with_for_update()
            rows = conn.execute(query.order_by(_orders.c.id).limit(BATCH)).all()
            for order_id, token in rows:
                try:
                    fresh = sealing.reseal(token)
                except InvalidToken:
                    unreadable.append(order_id)
                    continue
                conn.execute(update(_orders).where(_orders.c.id == order_id).values(answers=fresh))
        if len(rows) < BATCH:
            return unreadable
        last = rows[-1][0]


def main() -> None:
    env = Env()
    configure_logging(SERVICE, env.str("LOG_FORMAT", "json"))
    sealing.configure_from_env(env)
    engine = make_engine(env.str("ORDERS_DATABASE_URL"))
    try:
        unreadable = rotate(engine)
    finally:
        engine.dispose()
    if unreadable:
        log.error("no configured key opens the answers of orders %s", ", ".join(unreadable))
        sys.exit(1)
    log.info("every order's answers are sealed with the first key")


if __name__ == "__main__":
    main()
