"""What a request of the gateway can reach: settings, units of work, the
password hasher, the service clients and the clock, built once in create_app."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy.orm import Session, sessionmaker

from common.clock import Clock
from common.db import UnitOfWork
from gateway import events
from gateway.clients.catalog import CatalogClient
from gateway.clients.chat import ChatClient
from gateway.clients.fulfillment import FulfillmentClient
from gateway.clients.notifications import NotificationsClient
from gateway.clients.orders import OrdersClient
from gateway.clients.ratings import RatingsClient
from gateway.clients.review_rules import ReviewRulesClient
from gateway.clients.reviews import ReviewsClient
from gateway.clients.verification import VerificationClient
from gateway.passwords import PasswordHasher
from gateway.services import SignInPolicy
from gateway.settings import Settings


@dataclass
class Gateway:
    settings: Settings
    session_factory: sessionmaker[Session]
    hasher: PasswordHasher
    catalog: CatalogClient
    orders: OrdersClient
    verification: VerificationClient
    chat: ChatClient  # the order chat, kept by verification
    reviews: ReviewsClient  # the staff review console's reads and decisions
    review_rules: ReviewRulesClient  # verification's reason lists and limits, kept briefly
    clock: Clock
    fulfillment: FulfillmentClient | None = None  # making and delivering, and the receipt
    notifications: NotificationsClient | None = None  # the inbox, preferences, failed messages
    ratings: RatingsClient | None = None  # ratings, complaints, statistics, the dashboard

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.session_factory, producer=events.PRODUCER, clock=self.clock)

    @property
    def sign_in_policy(self) -> SignInPolicy:
        return SignInPolicy(
            max_failures=self.settings.sign_in_max_failures,
            window_seconds=self.settings.sign_in_window_seconds,
        )


def gateway() -> Gateway:
    return current_app.extensions["gateway"]  # type: ignore[no-any-return]
