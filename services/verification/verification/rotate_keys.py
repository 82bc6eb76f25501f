"""Re-encrypt every stored picture and re-seal every case's form answers with the
first key of VERIFICATION_ENCRYPTION_KEYS.

    VERIFICATION_ENCRYPTION_KEYS=<new>,<old> python -m verification.rotate_keys

Put the new key first, restart the web processes and the worker (they then
write with the new key and read with both), run this, then drop the old key.
Files and cases no configured key opens are listed (file names, order ids)
and kept; the command then exits non-zero. Safe to run again, and while the
service runs: a file replaced or deleted meanwhile is skipped, never brought
back, and each batch of cases is locked while it is re-sealed.
"""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass
from typing import cast

from cryptography.fernet import InvalidToken
from sqlalchemy import select, update
from sqlalchemy.engine import Engine

from common.db import make_engine
from common.logging import configure_logging
from verification.models import Case
from verification.sealing import AnswerSeal, open_seal
from verification.settings import SERVICE, Settings
from verification.storage import RotationReport, open_store

log = logging.getLogger("verification.rotate_keys")

BATCH = 100


@dataclass
class KeyRotation:
    files: RotationReport
    answers: RotationReport  # `unreadable` holds order ids

    @property
    def complete(self) -> bool:
        return not (self.files.unreadable or self.answers.unreadable)


def rotate(settings: Settings | None = None) -> KeyRotation:
    settings = settings or Settings.from_env()
    files = open_store(settings).rotate()
    engine = make_engine(settings.database_url)
    try:
        answers = reseal_answers(engine, open_seal(settings))
    finally:
        engine.dispose()
    return KeyRotation(files, answers)


def reseal_answers(engine: Engine, seal: AnswerSeal) -> RotationReport:
    """Re-seal every case's answers with the first key, a locked batch per transaction."""
    report = RotationReport()
    after = ""
    while True:
        with engine.begin() as connection:
            rows = connection.execute(
                select(Case.order_id, Case.answers_sealed)
                .where(Case.answers_sealed.is_not(None), Case.order_id > after)
                .order_by(Case.order_id)
                .limit(BATCH)
                .with_for_update()
            ).all()
            for order_id, token in rows:
                try:
                    resealed = seal.reseal(cast(str, token))  # the query skips None
                except InvalidToken:
                    report.unreadable.append(order_id)
                    continue
                connection.execute(
                    update(Case).where(Case.order_id == order_id).values(answers_sealed=resealed)
                )
                report.rotated += 1
        if len(rows) < BATCH:
            return report
        after = rows[-1].order_id


def main() -> None:
    settings = Settings.from_env()
    configure_logging(SERVICE, settings.common.log_format)
    rotation = rotate(settings)
    log.info("re-encrypted %d stored files with the first key", rotation.files.rotated)
    log.info("re-sealed the form answers of %d cases", rotation.answers.rotated)
    if rotation.files.unreadable:
        log.error(
            "%d files open with none of the configured keys: %s",
            len(rotation.files.unreadable),
            ", ".join(rotation.files.unreadable),
        )
    if rotation.answers.unreadable:
        log.error(
            "the answers of %d cases open with none of the configured keys: %s",
            len(rotation.answers.unreadable),
            ", ".join(rotation.answers.unreadable),
        )
    if not rotation.complete:
        sys.exit(1)


if __name__ == "__main__":
    main()
