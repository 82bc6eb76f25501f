"""Demo ratings for the one-process mode (`make run`), only when DEMO_MODE is on.

A few past orders of the catalog's seed items, completed over the last weeks
and rated by their applicants, so the store front shows stars and /stats has
figures from the first start. They go through ratings' own paths: orders' and
fulfillment's events through the handlers (the read model and its per-day
counts), then `rating.rate` at the time each was rated (the rating, its count
and `ratings.summary_changed`, which the catalog shows once the worker relays
it). No bad rating: a bad rating opens a case and tells orders, which has never
heard of these orders. One item gets too few ratings for an average, as a new
item would.

Idempotent: when the first demo order is known, nothing is added.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from common.clock import FrozenClock, SystemClock
from common.db import make_engine
from common.events.consumer import Dispatcher
from common.events.envelope import Envelope
from common.settings import Env
from ratings import rating
from ratings.handlers import HANDLERS
from ratings.models import Order
from ratings.settings import SERVICE, Settings
from ratings.wiring import build_context

# (item, stars, days since completion, the applicant's name, comment, anonymous)
DEMO_RATINGS = (
    ("driving-licence-replacement", 5, 24, "王芳", "网上提交很方便，三天就收到新驾驶证。", False),
    ("driving-licence-replacement", 5, 19, "李强", "照片要求写得很清楚，一次就通过了。", False),
    ("driving-licence-replacement", 4, 15, "张伟", "整体顺利，快递比预想的慢一天。", False),
    ("driving-licence-replacement", 5, 11, "刘洋", None, True),
    ("driving-licence-replacement", 3, 8, "陈静", "审核等了两个工作日，希望再快一些。", False),
    ("driving-licence-replacement", 5, 4, "杨帆", "客服回复及时，点赞。", False),
    ("licence-plate-replacement", 5, 22, "赵磊", "号牌寄到家里，省得跑车管所。", False),
    ("licence-plate-replacement", 4, 17, "黄敏", "办理顺利。", False),
    ("licence-plate-replacement", 5, 13, "周杰", None, False),
    ("licence-plate-replacement", 4, 9, "吴霞", "指南很详细，快递稍慢。", True),
    ("licence-plate-replacement", 5, 5, "徐鹏", "比去窗口排队快多了。", False),
    ("annual-licence-verification", 5, 12, "孙丽", "年审材料一次就齐了。", False),
    ("annual-licence-verification", 4, 6, "马超", None, False),
)
TAGS = {5: ["efficient", "easy_online"], 4: ["friendly_staff"], 3: ["acceptable_speed"]}


def seed(database_url: str | None = None) -> list[str]:
    if not Env().bool("DEMO_MODE"):
        return []
    settings = Settings.from_env()
    engine = make_engine(database_url or settings.database_url)
    try:
        now = SystemClock().now()
        live = build_context(settings, engine, None)
        with live.uow() as uow:
            if uow.session.get(Order, _order_id(0)) is not None:
                return []
        dispatcher = Dispatcher(SERVICE, HANDLERS, live.uow, max_attempts=1)
        # Oldest first: each summary is newer than the one before, as the catalog expects.
        chronological = sorted(enumerate(DEMO_RATINGS), key=lambda entry: -entry[1][2])
        for n, (item, stars, days, name, comment, anonymous) in chronological:
            order_id, applicant = _order_id(n), f"demo-applicant-{n + 1:02d}"
            completed = now - timedelta(days=days, hours=n % 5)
            for event in _order_events(order_id, applicant, item, name, completed, n):
                dispatcher.handle(event.to_json(), 0)
            at = build_context(settings, engine, FrozenClock(completed + timedelta(hours=20)))
            rating.rate(at, order_id, applicant, {
                "level": stars, "tags": TAGS[stars], "comment": comment, "anonymous": anonymous,
                "scores": {"speed": stars, "service": min(5, stars + 1), "delivery": stars},
            })  # fmt: skip
    finally:
        engine.dispose()
    return []


def _order_id(n: int) -> str:
    return f"demo-order-{n + 1:02d}"


def _order_events(
    order_id: str, applicant: str, item: str, name: str, completed: datetime, n: int
) -> list[Envelope]:
    """Orders' and fulfillment's events of one past order, a few days a step."""
    delivered = completed - timedelta(days=1)
    dispatched = delivered - timedelta(days=1 + n % 2)
    approved = dispatched - timedelta(days=1, hours=3)
    submitted = approved - timedelta(days=1 + n % 3, hours=2)
    owner = {"order_id": order_id, "reference": f"DEMO{n + 1:02d}", "applicant_id": applicant,
             "item_code": item}  # fmt: skip
    steps: list[tuple[str, datetime, dict[str, Any]]] = [
        ("orders.draft_created", submitted, {**owner, "required_documents": []}),
        ("orders.submitted", submitted, {**owner, "submitted_at": submitted.isoformat()}),
        ("orders.approved", approved,
         {**owner, "approved_at": approved.isoformat(), "applicant_name": name}),
        ("fulfillment.dispatched", dispatched,
         {"order_id": order_id, "reship": False, "dispatched_at": dispatched.isoformat()}),
        ("fulfillment.delivered", delivered,
         {"order_id": order_id, "delivered_at": delivered.isoformat()}),
        ("orders.completed", completed, {**owner, "completed_at": completed.isoformat()}),
    ]  # fmt: skip
    return [_envelope(kind, at, data, order_id) for kind, at, data in steps]


def _envelope(kind: str, at: datetime, data: dict[str, Any], order_id: str) -> Envelope:
    producer = kind.split(".")[0]
    return Envelope(
        type=kind, producer=producer, data=data, correlation_id=order_id, occurred_at=at
    )
