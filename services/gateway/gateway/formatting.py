"""Money, numbers and times as the page's language writes them, by Babel.

Money is held in integer fen and shown in yuan (CNY) with the locale's
separators and the symbol's place, and the sign every page of a store that
takes only yuan uses: ¥1,234.50 (CLDR's English "CN¥" only tells yuan from
yen, which no price here needs; French puts it last, 1 234,50 ¥). Times are shown
in Beijing time whatever the server's zone. Without a locale argument each
function uses the page's (Flask-Babel's locale selector, see i18n.install_babel).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.numbers import format_currency, format_decimal, get_currency_symbol

from gateway.i18n import DEFAULT_LANGUAGE, babel_locale

BEIJING = ZoneInfo("Asia/Shanghai")
YUAN = "¥"
# Digits in every language: a time reads the same on both pages, sorts as it
# reads, and a day looks like what the forms ask for ("2026-11-22").
TIME_PATTERN = "yyyy-MM-dd HH:mm"
DAY_PATTERN = "yyyy-MM-dd"


def money(fen: int, locale: Locale | str | None = None) -> str:
    """12345 fen → "¥123.45" (exact: Decimal, never float)."""
    where = _locale(locale)
    shown = format_currency(Decimal(fen) / 100, "CNY", locale=where)
    return shown.replace(get_currency_symbol("CNY", where), YUAN)


def number(value: int | float, locale: Locale | str | None = None) -> str:
    """1234 → "1,234"."""
    return format_decimal(value, locale=_locale(locale))


def one_decimal(value: float, locale: Locale | str | None = None) -> str:
    """4.87 → "4.9": a rating's average."""
    return format_decimal(value, format="0.0", locale=_locale(locale))


def moment(value: str | None, locale: Locale | str | None = None) -> str:
    """An ISO 8601 time in Beijing time, to the minute: 2026-11-22 14:03."""
    parsed = _parse(value)
    if parsed is None:
        return value or ""
    return format_datetime(parsed, TIME_PATTERN, tzinfo=BEIJING, locale=_locale(locale))


def day(value: str | None, locale: Locale | str | None = None) -> str:
    """The day of an ISO 8601 time (or date) in Beijing: 2026-11-22."""
    parsed = _parse(value)
    if parsed is None:
        return value or ""
    return format_date(beijing_day(parsed), DAY_PATTERN, locale=_locale(locale))


def beijing_day(moment: datetime) -> date:
    return moment.astimezone(BEIJING).date()


def _parse(value: str | None) -> datetime | None:
    """A time without a zone is taken as Beijing time, as it is written."""
    try:
        parsed = datetime.fromisoformat(value or "")
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=BEIJING)


def _locale(locale: Locale | str | None) -> Locale:
    if isinstance(locale, Locale):
        return locale
    if locale:
        return babel_locale(locale)
    from flask_babel import get_locale  # the page's; None outside a request

    return get_locale() or babel_locale(DEFAULT_LANGUAGE)
