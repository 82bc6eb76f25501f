"""`python -m gateway.staff create --email a@b.cn --role supervisor [--role reviewer]`

Creates a staff account. The password is read from GATEWAY_STAFF_PASSWORD
when set (for scripts), otherwise asked for twice at a prompt; it is never
taken from the command line, where it would land in shell history.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys

from common.db import UnitOfWork, make_engine, make_session_factory
from common.errors import DomainError
from gateway import domain, events, services
from gateway.i18n import translate
from gateway.passwords import make_hasher

PASSWORD_ENV = "GATEWAY_STAFF_PASSWORD"  # noqa: S105 - the name of a variable, not a secret


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m gateway.staff", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create", help="create a staff account")
    create.add_argument("--email", required=True, help="the staff member's work email")
    create.add_argument(
        "--role",
        action="append",
        required=True,
        choices=domain.STAFF_ROLES,
        help="a role to grant; repeat for several",
    )
    create.add_argument(
        "--database-url", default=None, help="default: the GATEWAY_DATABASE_URL variable"
    )
    return parser


def _password() -> str:
    from_env = os.environ.get(PASSWORD_ENV)
    if from_env:
        return from_env
    first = getpass.getpass("Password (at least 10 characters): ")
    if getpass.getpass("The same password again: ") != first:
        raise SystemExit("The two passwords are not the same; nothing was created.")
    return first


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    url = args.database_url or os.environ.get("GATEWAY_DATABASE_URL")
    if not url:
        print("required environment variable GATEWAY_DATABASE_URL is not set", file=sys.stderr)
        return 2
    engine = make_engine(url)
    uow = UnitOfWork(make_session_factory(engine), producer=events.PRODUCER)
    try:
        principal = services.create_staff(
            uow, make_hasher(), email=args.email, password=_password(), roles=args.role
        )
    except DomainError as error:
        messages = [translate(error.detail, "en")]
        for name, keys in (error.errors or {}).items():
            messages += [f"{name}: {translate(key, 'en')}" for key in keys]
        print("Not created. " + " ".join(messages), file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    print(
        f"Created staff account {principal.label} ({', '.join(principal.roles)}), id {principal.account_id}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
