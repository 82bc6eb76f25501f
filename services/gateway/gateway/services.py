"""Use cases of the gateway: accounts, staff, sessions, the sign-in rate limit.

Refusals are common.errors exceptions whose detail (and field messages) are
message keys of `gateway.i18n`; the error handlers translate them.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, func, insert, select
from sqlalchemy.exc import IntegrityError

from common.db import UnitOfWork
from common.errors import Conflict, InvalidInput, TooManyRequests, Unauthorized
from gateway import domain, events
from gateway.models import account_roles, accounts, sessions, sign_in_failures
from gateway.passwords import PasswordHasher

APPLICANT = "applicant"
STAFF = "staff"
BROWSER = "browser"
API = "api"


@dataclass(frozen=True)
class Principal:
    """Who is signed in: the account, its kind and its roles."""

    account_id: str
    kind: str
    label: str
    roles: tuple[str, ...]

    @property
    def is_staff(self) -> bool:
        return self.kind == STAFF

    def has_any(self, *roles: str) -> bool:
        return any(role in self.roles for role in roles)


@dataclass(frozen=True)
class SignInPolicy:
    max_failures: int
    window_seconds: int


def _invalid(error: domain.FieldErrors) -> InvalidInput:
    return InvalidInput("form.invalid", errors=error.errors)


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def register_applicant(
    uow: UnitOfWork,
    hasher: PasswordHasher,
    *,
    identifier: str | None,
    password: str | None,
    password_confirmation: str | None = None,
    language: str = "zh-CN",
) -> Principal:
    """A new applicant; notifications is told where its messages go (and in which
    language) in the same transaction, through the outbox."""
    errors: dict[str, list[str]] = {}
    parsed = None
    try:
        parsed = domain.parse_identifier(identifier)
    except domain.FieldErrors as error:
        errors.update(error.errors)
    try:
        domain.check_new_password(password, password_confirmation)
    except domain.FieldErrors as error:
        errors.update(error.errors)
    if errors or parsed is None:
        raise _invalid(domain.FieldErrors(errors))
    with uow:
        column = accounts.c[parsed.kind]
        taken = uow.session.execute(
            select(accounts.c.id).where(accounts.c.kind == APPLICANT, column == parsed.value)
        ).first()
        if taken:
            raise Conflict("register.conflict")
        account_id = str(uuid.uuid4())
        now = uow.clock.now()
        try:
            uow.session.execute(
                insert(accounts).values(
                    id=account_id,
                    kind=APPLICANT,
                    created_at=now,
                    password_hash=hasher.hash(password or ""),
                    **{parsed.kind: parsed.value},
                )
            )
            contact = {
                "account_id": account_id,
                "language": language if language in ("zh-CN", "en") else "zh-CN",
                "phone": parsed.value if parsed.kind == "mobile" else None,
                "email": parsed.value if parsed.kind == "email" else None,
                "changed_at": now,
            }
            uow.publish(events.CONTACT_CHANGED, events.payload(events.CONTACT_CHANGED, contact))
            uow.commit()
        except IntegrityError:  # a concurrent registration with the same details won
            raise Conflict("register.conflict") from None
    return Principal(account_id, APPLICANT, parsed.value, (APPLICANT,))


def create_staff(
    uow: UnitOfWork,
    hasher: PasswordHasher,
    *,
    email: str,
    password: str,
    roles: list[str],
) -> Principal:
    try:
        parsed = domain.parse_identifier(email, field="email")
        if parsed.kind != "email":
            raise domain.FieldErrors({"email": ["identifier.invalid"]})
        domain.check_new_password(password)
        granted = domain.check_roles(roles)
    except domain.FieldErrors as error:
        raise _invalid(error) from None
    with uow:
        account_id = str(uuid.uuid4())
        try:
            uow.session.execute(
                insert(accounts).values(
                    id=account_id,
                    kind=STAFF,
                    email=parsed.value,
                    password_hash=hasher.hash(password),
                    created_at=uow.clock.now(),
                )
            )
            for role in granted:
                uow.session.execute(insert(account_roles).values(account_id=account_id, role=role))
            uow.commit()
        except IntegrityError:
            raise Conflict("staff.exists") from None
    return Principal(account_id, STAFF, parsed.value, granted)


def _account_key(identifier: str | None) -> str:
    try:
        parsed = domain.parse_identifier(identifier)
        return f"{parsed.kind}:{parsed.value}"
    except domain.FieldErrors:
        return "raw:" + (identifier or "").strip().lower()[:290]


def authenticate(
    uow: UnitOfWork,
    hasher: PasswordHasher,
    policy: SignInPolicy,
    *,
    identifier: str | None,
    password: str | None,
    ip: str,
    kinds: tuple[str, ...],
) -> Principal:
    """The account these credentials open, counting failures per account and address."""
    if not (identifier or "").strip() or not password:
        errors: dict[str, list[str]] = {}
        if not (identifier or "").strip():
            errors["identifier"] = ["identifier.required"]
        if not password:
            errors["password"] = ["password.required"]
        raise InvalidInput("form.invalid", errors=errors)
    key = _account_key(identifier)
    ip = ip[:64]
    with uow:
        now = uow.clock.now()
        since = now - timedelta(seconds=policy.window_seconds)
        failures = uow.session.execute(
            select(func.count())
            .select_from(sign_in_failures)
            .where(
                sign_in_failures.c.account_key == key,
                sign_in_failures.c.ip == ip,
                sign_in_failures.c.failed_at > since,
            )
        ).scalar_one()
        if failures >= policy.max_failures:
            raise TooManyRequests("sign_in.too_many")
        account = _find_account(uow, key, kinds)
        # Verify against a throwaway hash when there is no account, so timing
        # does not tell which identifiers exist.
        encoded = account.password_hash if account else _dummy_hash(hasher)
        if account is None or not hasher.verify(encoded, password):
            uow.session.execute(
                delete(sign_in_failures).where(sign_in_failures.c.failed_at < since)
            )
            uow.session.execute(
                insert(sign_in_failures).values(account_key=key, ip=ip, failed_at=now)
            )
            uow.commit()
            raise Unauthorized("sign_in.failed")
        uow.session.execute(
            delete(sign_in_failures).where(
                sign_in_failures.c.account_key == key, sign_in_failures.c.ip == ip
            )
        )
        uow.commit()
        return _principal(uow, account)


_DUMMY: dict[int, str] = {}


def _dummy_hash(hasher: PasswordHasher) -> str:
    if id(hasher) not in _DUMMY:
        _DUMMY[id(hasher)] = hasher.hash(secrets.token_urlsafe(16))
    return _DUMMY[id(hasher)]


def _find_account(uow: UnitOfWork, key: str, kinds: tuple[str, ...]):  # type: ignore[no-untyped-def]
    kind, _, value = key.partition(":")
    if kind not in {"email", "mobile"}:
        return None
    return uow.session.execute(
        select(accounts).where(accounts.c.kind.in_(kinds), accounts.c[kind] == value)
    ).first()


def _principal(uow: UnitOfWork, account) -> Principal:  # type: ignore[no-untyped-def]
    if account.kind == STAFF:
        roles = tuple(
            sorted(
                uow.session.execute(
                    select(account_roles.c.role).where(account_roles.c.account_id == account.id)
                ).scalars()
            )
        )
    else:
        roles = (APPLICANT,)
    return Principal(account.id, account.kind, account.email or account.mobile or "", roles)


def start_session(
    uow: UnitOfWork,
    principal: Principal,
    *,
    kind: str,
    ttl_seconds: int,
    replaces: str | None = None,
) -> tuple[str, object]:
    """A brand-new session id (never a reused one); returns (raw id, expiry)."""
    raw = secrets.token_urlsafe(32)
    with uow:
        now = uow.clock.now()
        expires = now + timedelta(seconds=ttl_seconds)
        if replaces:
            uow.session.execute(delete(sessions).where(sessions.c.id_hash == token_hash(replaces)))
        uow.session.execute(delete(sessions).where(sessions.c.expires_at < now))
        uow.session.execute(
            insert(sessions).values(
                id_hash=token_hash(raw),
                account_id=principal.account_id,
                kind=kind,
                created_at=now,
                expires_at=expires,
            )
        )
        uow.commit()
    return raw, expires


def resolve_session(uow: UnitOfWork, raw: str, *, kind: str) -> Principal | None:
    with uow:
        row = uow.session.execute(
            select(accounts)
            .join(sessions, sessions.c.account_id == accounts.c.id)
            .where(
                sessions.c.id_hash == token_hash(raw),
                sessions.c.kind == kind,
                sessions.c.expires_at > uow.clock.now(),
            )
        ).first()
        return _principal(uow, row) if row else None


def end_session(uow: UnitOfWork, raw: str) -> None:
    with uow:
        uow.session.execute(delete(sessions).where(sessions.c.id_hash == token_hash(raw)))
        uow.commit()


def delete_applicant(uow: UnitOfWork, principal: Principal) -> None:
    """Delete an applicant's account; its sessions go with it (ON DELETE CASCADE),
    and notifications is told to forget its contact details and messages."""
    if principal.kind != APPLICANT:
        raise Conflict("account.delete_staff")
    with uow:
        now = uow.clock.now()
        uow.session.execute(delete(sessions).where(sessions.c.account_id == principal.account_id))
        uow.session.execute(delete(accounts).where(accounts.c.id == principal.account_id))
        data = {"account_id": principal.account_id, "deleted_at": now}
        uow.publish(events.DELETED, events.payload(events.DELETED, data))
        uow.commit()
