"""Dates of events: explicit and relative expressions resolved against the publication date.

"on Friday", "last month", "in September", "back in 2005", "On Monday,
February 21" are resolved with dateparser relative to the article's
publication date, preferring the past (news reports what happened). The
precision follows the expression: a weekday, a day of the month, "today" or
"yesterday" give ``day``; a month without a day gives ``month``; a year alone,
"last year" or "this year" give ``year``. With no expression, an event
reported in the present or past tense takes the publication date (``day``);
without a publication date the event date is unknown.
"""

from __future__ import annotations

import datetime as dt
import re

import dateparser

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
          "october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep",
          "sept", "oct", "nov", "dec")
NUMBER_WORDS = {"a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
                "nine": 9, "ten": 10}
_AFTER = re.compile(r"\b(a|one|two|three|four|five|six|seven|eight|nine|ten|\d+)\s+(years?|months?)\s+"
                    r"(?:after|since|following)\s+(.+)$")
MONTH_NUMBERS = {name: n for n, name in enumerate(MONTHS[:12], 1)} | {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9, "oct": 10,
    "nov": 11, "dec": 12}
_YEAR = re.compile(r"\b(1[6-9]\d\d|20\d\d)\b")
_DAYNUM = re.compile(r"\b([12]?\d|3[01])(st|nd|rd|th)?\b")
_NOISE = re.compile(r"\b(back|as far back as|since|earlier|later|on|in|at|during|by|of|the|early|late|mid|so far)\b",
                    re.I)
_DURATION = re.compile(r"\b(days?|weeks?|hours?|decades?|centuries|years? old|\d+ years?|months? of|four|two|three)\b", re.I)


_SPAN = re.compile(r"^(?:(?:a|an|the|next|coming|first|last|past|within|for|over|of|some|about|nearly|almost|"
                   r"more than|less than|at least|up to)\s+)*(?:\(?\d+\)?|a|an|one|two|three|four|five|six|seven|"
                   r"eight|nine|ten|twelve|fifteen|twenty|thirty|forty|forty-eight|seventy-two|several|few|\w+\s\(\d+\))"
                   r"[\s-]+(?:hours?|days?|weeks?|months?|years?)(?:-long)?$", re.I)


def is_duration(expression: str) -> bool:
    """Whether a DATE expression is a length of time, not a point in it ("a two-day visit",
    "within 72 hours", "the next seven (7) days", "a week-long tour")."""
    low = " ".join(expression.lower().split())
    return bool(_SPAN.match(low)) or bool(re.fullmatch(r"(?:a|an)?\s*(?:week|month|year|day)-long", low))


def resolve_date(expression: str, published: dt.date | None, prefer: str = "past",
                 lang: str = "en") -> tuple[str, str] | None:
    """Resolve a date expression (see :func:`_resolve`, and :func:`_resolve_fr` for ``lang="fr"``);
    ``None`` rather than an error for any date arithmetic that leaves the calendar (year 1 minus a week)."""
    try:
        resolved = (_resolve_fr if lang == "fr" else _resolve)(expression, published, prefer)
    except (ValueError, OverflowError):
        return None
    if resolved is not None and not 1 <= int(resolved[0].split("-")[0]) <= 9999:
        return None
    return resolved


def _month_only(month: int, published: dt.date, prefer: str) -> tuple[str, str]:
    """A month named without a year: the latest such month up to the publication month (past),
    or the earliest from it on (future); the publication month itself counts for both."""
    year = published.year
    if prefer == "future":
        year += month < published.month
    else:
        year -= month > published.month
    return f"{year:04d}-{month:02d}", "month"


def _resolve(expression: str, published: dt.date | None, prefer: str = "past") -> tuple[str, str] | None:
    """Resolve a date expression.

    Args:
        expression: the words of a DATE entity ("on Friday", "last year").
        published: publication date; relative expressions need it.
        prefer: ``"past"`` for reported acts, ``"future"`` for announced ones
            ("will take effect on 28 May").

    Returns:
        ``(iso_date, precision)`` with ``iso_date`` as ``YYYY-MM-DD``,
        ``YYYY-MM`` or ``YYYY`` and precision ``day``/``month``/``year``, or
        ``None`` when the expression is no point in time ("four days",
        "decades") or cannot be resolved.
    """
    text = " ".join(expression.replace("(", " ").replace(")", " ").split())
    low = text.lower()
    if re.fullmatch(r"(?:from\s+|between\s+)?(1[6-9]\d\d|20\d\d)\s*(?:-|–|—|to|and|until)\s*(1[6-9]\d\d|20\d\d)", low):
        return None  # "(1996-2001)": a period, not the time of an act
    if not low or _DURATION.search(low) and not _YEAR.search(low) and not any(w in low for w in WEEKDAYS):
        if "last year" not in low and "this year" not in low and not low.endswith(" ago") \
                and not re.search(r"\b(last|this|next) week\b", low):
            return None
    later = _AFTER.search(low)
    if later:
        # "nearly four years after August 2021": the anchor moved on, at the unit's precision
        anchor = resolve_date(later.group(3), published, prefer)
        n = NUMBER_WORDS.get(later.group(1)) or (int(later.group(1)) if later.group(1).isdigit() else 0)
        if anchor is not None and n:
            year = int(anchor[0][:4])
            if later.group(2).startswith("year"):
                return str(year + n), "year"
            if later.group(2).startswith("month") and len(anchor[0]) >= 7:
                month = int(anchor[0][5:7]) - 1 + n
                return f"{year + month // 12:04d}-{month % 12 + 1:02d}", "month"
    ago = re.search(r"\b(a|one|two|three|four|five|six|seven|eight|nine|ten|\d+)\s+(days?|weeks?|months?|years?|decades?)"
                    r"\s+ago\b", low)
    if ago:
        if not published:
            return None
        n = NUMBER_WORDS.get(ago.group(1)) or int(ago.group(1))
        unit = ago.group(2)
        if unit.startswith("day"):
            return (published - dt.timedelta(days=n)).isoformat(), "day"
        if unit.startswith("week"):
            then = published - dt.timedelta(weeks=n)
            return f"{then.year:04d}-{then.month:02d}", "month"
        if unit.startswith("month"):
            m = published.year * 12 + published.month - 1 - n
            return f"{m // 12:04d}-{m % 12 + 1:02d}", "month"
        years = n * (10 if unit.startswith("decade") else 1)
        return str(published.year - years), "year"
    week = re.search(r"\b(last|this|next|earlier this|later this) week\b", low)
    if week:
        if not published:
            return None
        shift = {"last": -7, "next": 7}.get(week.group(1), 0)
        then = published + dt.timedelta(days=shift)
        return f"{then.year:04d}-{then.month:02d}", "month"
    base = dt.datetime.combine(published, dt.time(12)) if published else None
    if low in ("today", "this week", "tonight", "this morning", "this afternoon", "this evening", "earlier today",
               "later today") or low.startswith("today"):
        return (published.isoformat(), "day") if published else None
    if low == "yesterday":
        return ((published - dt.timedelta(days=1)).isoformat(), "day") if published else None
    if re.search(r"\b(last|this|next) year\b", low):
        if not published:
            return None
        delta = {"last": -1, "this": 0, "next": 1}[re.search(r"(last|this|next) year", low).group(1)]
        return str(published.year + delta), "year"
    if re.search(r"\b(last|this|next) month\b", low):
        if not published:
            return None
        y, m = published.year, published.month
        step = {"last": -1, "this": 0, "next": 1}[re.search(r"(last|this|next) month", low).group(1)]
        m += step
        if m == 0:
            y, m = y - 1, 12
        elif m == 13:
            y, m = y + 1, 1
        return f"{y:04d}-{m:02d}", "month"
    has_weekday = any(w in low.split() or w in low for w in WEEKDAYS)
    has_month = any(re.search(rf"\b{m}\b", low) for m in MONTHS)
    year = _YEAR.search(low)
    cleaned = _NOISE.sub(" ", text)
    cleaned = " ".join(cleaned.replace(",", " ").split())
    if has_weekday and not has_month and not year:
        if not published:
            return None
        wd = next(i for i, w in enumerate(WEEKDAYS) if w in low)
        if prefer == "future":
            return (published + dt.timedelta(days=(wd - published.weekday()) % 7)).isoformat(), "day"
        back = (published.weekday() - wd) % 7
        return (published - dt.timedelta(days=back)).isoformat(), "day"
    if year and not has_month:
        return year.group(1), "year"
    if not has_month:
        return None
    bare = re.sub(r"\b(in|on|of|during|since|by|early|late|mid|the|month|this|last|next)\b", " ", low).split()
    if published and not year and len(bare) == 1 and bare[0] in MONTHS:
        return _month_only(MONTH_NUMBERS[bare[0]], published, prefer)
    settings = {"PREFER_DATES_FROM": prefer, "RETURN_AS_TIMEZONE_AWARE": False,
                "REQUIRE_PARTS": ["month"], "PREFER_DAY_OF_MONTH": "first"}
    if base is not None:
        settings["RELATIVE_BASE"] = base
    try:
        parsed = dateparser.parse(cleaned, languages=["en"], settings=settings)
    except (ValueError, OverflowError):
        parsed = None
    if parsed is None:
        return None
    if published is not None and prefer == "future" and not year and parsed.year == published.year + 1:
        # "on 22 May", written on 22 May: this year's, not next year's (the day itself is not past)
        try:
            same = parsed.replace(year=published.year)
        except ValueError:
            same = None
        if same is not None and same.date() >= published:
            parsed = same
    without_weekday = re.sub("|".join(WEEKDAYS), " ", low)
    has_day = bool(_DAYNUM.search(_YEAR.sub(" ", without_weekday)))
    if has_day or has_weekday:
        return parsed.date().isoformat(), "day"
    return f"{parsed.year:04d}-{parsed.month:02d}", "month"


FR_WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
FR_RELATIVE_DAYS = {"avant-hier": -2, "hier": -1, "aujourd'hui": 0, "aujourd’hui": 0, "demain": 1}
_FR_DAY = re.compile(r"\b(1er|\d{1,2})\s+(janvier|février|fevrier|mars|avril|mai|juin|juillet|août|aout|septembre|octobre|"
                     r"novembre|décembre|decembre)\b")


def _resolve_fr(expression: str, published: dt.date | None, prefer: str = "past") -> tuple[str, str] | None:
    """Resolve a French date expression, as :func:`_resolve` does an English one.

    A weekday alone ("jeudi", "ce jeudi") is the latest such day up to the
    publication day (past) or the next one from it (future); "hier",
    "aujourd'hui", "avant-hier", "demain" count from the publication day;
    "la semaine dernière"/"prochaine" give the month of the day a week off, "le
    mois dernier" the month before, "l'an dernier"/"l'année dernière" the year
    before; a year alone ("en 2021") is that year; other expressions ("le 3
    juillet", "le 14 juillet dernier", "jeudi 20 juin", "septembre 2023") are
    read by dateparser with ``languages=["fr"]`` against the publication day.

    Returns:
        ``(iso_date, precision)`` as :func:`_resolve`, or ``None``.
    """
    low = " ".join(expression.lower().replace("’", "'").split())
    low = re.sub(r"^(?:le|la|les|l'|ce|cette|depuis|en|dès|au|du)\s*", "", low)
    if low in FR_RELATIVE_DAYS:
        return ((published + dt.timedelta(days=FR_RELATIVE_DAYS[low])).isoformat(), "day") if published else None
    weekday = next((i for i, w in enumerate(FR_WEEKDAYS) if re.search(rf"\b{w}\b", low)), None)
    day = _FR_DAY.search(low)
    year = _YEAR.search(low)
    if weekday is not None and day is None and not year:
        if not published:
            return None
        if prefer == "future":
            return (published + dt.timedelta(days=(weekday - published.weekday()) % 7)).isoformat(), "day"
        return (published - dt.timedelta(days=(published.weekday() - weekday) % 7)).isoformat(), "day"
    week = re.search(r"semaine (dernière|passée|prochaine)", low)
    if week or low.startswith("semaine") or low == "cette semaine":
        if not published:
            return None
        then = published + dt.timedelta(days={"prochaine": 7}.get(week.group(1), -7) if week else 0)
        return f"{then.year:04d}-{then.month:02d}", "month"
    month = re.search(r"mois (dernier|prochain)", low)
    if month:
        if not published:
            return None
        m = published.year * 12 + published.month - 1 + (1 if month.group(1) == "prochain" else -1)
        return f"{m // 12:04d}-{m % 12 + 1:02d}", "month"
    last_year = re.search(r"\b(?:an|année) (dernière?|passée|prochaine?)", low)
    if last_year:
        return (str(published.year + (1 if last_year.group(1).startswith("prochain") else -1)), "year") \
            if published else None
    if year and low == year.group(0):
        return year.group(1), "year"
    settings: dict[str, object] = {"PREFER_DATES_FROM": prefer, "RETURN_AS_TIMEZONE_AWARE": False,
                                   "REQUIRE_PARTS": ["month"], "PREFER_DAY_OF_MONTH": "first"}
    if published is not None:
        settings["RELATIVE_BASE"] = dt.datetime.combine(published, dt.time(12))
    cleaned = re.sub(r"\b(dernier|prochain|soir|matin|après-midi)\b", " ", low)
    cleaned = re.sub(r"\b(lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)\b", " ", cleaned).replace("1er", "1")
    parsed = dateparser.parse(" ".join(cleaned.split()), languages=["fr"], settings=settings)
    if parsed is None:
        return None
    if day is not None or weekday is not None:
        return parsed.date().isoformat(), "day"
    return f"{parsed.year:04d}-{parsed.month:02d}", "month"
