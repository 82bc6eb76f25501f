"""Re-encrypt every stored picture with the first key of VERIFICATION_ENCRYPTION_KEYS.

    VERIFICATION_ENCRYPTION_KEYS=<new>,<old> python -m verification.rotate_keys

Put the new key first, restart the web processes (they then write with the new
key and read with both), run this, then drop the old key. Files no configured
key opens are listed by name and kept; the command then exits non-zero. Safe
to run again, and while the service runs: a file replaced or deleted meanwhile
is skipped, never brought back.
"""

from __future__ import annotations

import logging
import sys

from common.logging import configure_logging
from verification.settings import SERVICE, Settings
from verification.storage import RotationReport, open_store

log = logging.getLogger("verification.rotate_keys")


def rotate(settings: Settings | None = None) -> RotationReport:
    settings = settings or Settings.from_env()
    return open_store(settings).rotate()


def main() -> None:
    settings = Settings.from_env()
    configure_logging(SERVICE, settings.common.log_format)
    report = rotate(settings)
    log.info("re-encrypted %d stored files with the first key", report.rotated)
    if report.unreadable:
        log.error(
            "%d files open with none of the configured keys: %s",
            len(report.unreadable),
            ", ".join(report.unreadable),
        )
        sys.exit(1)


if __name__ == "__main__":
    main()
