"""Read a UDI in GS1 format (a device label's barcode) into its elements; pure functions.

A GS1 element string is a run of (AI, value) pairs. People type the
human-readable form, `(01)09506000134352(17)270228(10)F1(21)SN1`; scanners
send the raw form, `01095060001343521727022810F1<GS>21SN1`, where a
variable-length value ends at the GS character (ASCII 29, FNC1) or at the
end of the string. Scanners may prefix a symbology identifier (`]d2`
GS1 DataMatrix, `]C1` GS1-128, `]Q3` GS1 QR, `]e0` GS1 DataBar), and people
who cannot type ASCII 29 write it as `<GS>` or `\\x1d`.

Only the AIs that device labels use are known (`AIS`); any other is an
error naming it and its position rather than a guess, because a misread
lot in a recall is worse than none. Check digits of GTIN/SSCC are verified
and dates are real dates. Positions in messages are 1-based characters of
the element string, a GS counted as one character.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from ..core.errors import UdiError

GS = "\x1d"
SYMBOLOGY = ("]d2", "]C1", "]Q3", "]e0")
# GS1 character set 82: what a lot, serial or reference may contain
CSET82 = re.compile(r"^[!\"%&'()*+,\-./0-9:;<=>?A-Z_a-z]*$")


@dataclass(frozen=True)
class AI:
    code: str
    name: str
    length: int  # fixed length, or the maximum for a variable-length value
    fixed: bool
    kind: str  # "digits", "check" (digits ending in a GS1 check digit), "date", "datetime", "text"


AIS: dict[str, AI] = {a.code: a for a in (
    AI("00", "SSCC", 18, True, "check"),
    AI("01", "GTIN", 14, True, "check"),
    AI("02", "content GTIN", 14, True, "check"),
    AI("10", "lot", 20, False, "text"),
    AI("11", "production date", 6, True, "date"),
    AI("12", "due date", 6, True, "date"),
    AI("13", "packaging date", 6, True, "date"),
    AI("15", "best before date", 6, True, "date"),
    AI("16", "sell by date", 6, True, "date"),
    AI("17", "expiry date", 6, True, "date"),
    AI("21", "serial", 20, False, "text"),
    AI("240", "additional product ID", 30, False, "text"),
    AI("241", "customer part number", 30, False, "text"),
    AI("30", "count", 8, False, "digits"),
    AI("7003", "expiry date and time", 10, True, "datetime"),
    AI("8020", "payment slip reference", 25, False, "text"),
)}


@dataclass(frozen=True)
class Udi:
    """The elements of one UDI: AI -> value as written, plus dates read as ISO strings."""

    elements: dict[str, str]
    dates: dict[str, str] = field(default_factory=dict)  # AI -> YYYY-MM-DD (or YYYY-MM-DDTHH:MM for 7003)

    lot = property(lambda self: self.elements.get("10"), doc="AI 10, the lot to trace")
    gtin = property(lambda self: self.elements.get("01"), doc="AI 01")
    serial = property(lambda self: self.elements.get("21"), doc="AI 21")
    expiry = property(lambda self: self.dates.get("17"), doc="AI 17 as YYYY-MM-DD")

    def to_dict(self) -> dict[str, Any]:
        """For JSON: the named fields people look for, and every element by AI."""
        return {"gtin": self.gtin, "lot": self.lot, "serial": self.serial, "expiry": self.expiry,
                "production_date": self.dates.get("11"), "elements": dict(self.elements)}


def check_digit(digits: str) -> int:
    """GS1 mod-10 check digit of `digits` (the data digits, without the check digit)."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits)))
    return (10 - total % 10) % 10


def gs1_year(yy: int, today: dt.date) -> int:
    """GS1 century rule: within -49..+50 years of today's year."""
    this = today.year % 100
    century = today.year - this
    diff = yy - this
    if 51 <= diff <= 99:
        century -= 100
    elif -99 <= diff <= -50:
        century += 100
    return century + yy


def parse_date(value: str, ai: str, position: int, today: dt.date) -> str:
    """YYMMDD -> YYYY-MM-DD; day 00 means the last day of the month."""
    import calendar  # only a UDI with a date needs it

    year, month, day = gs1_year(int(value[:2]), today), int(value[2:4]), int(value[4:6])
    if not 1 <= month <= 12:
        raise UdiError(f"UDI AI ({ai}) at position {position}: {value!r} has month {month:02d} "
                       "(expected YYMMDD with month 01-12)", ai=ai, position=position)
    last = calendar.monthrange(year, month)[1]
    if day > last:
        raise UdiError(f"UDI AI ({ai}) at position {position}: {value!r} has day {day:02d}, "
                       f"but {year}-{month:02d} has {last} days", ai=ai, position=position)
    return dt.date(year, month, day or last).isoformat()


def _check_value(ai: AI, value: str, position: int, today: dt.date) -> str | None:
    """Raise UdiError when `value` is not valid for `ai`; return its ISO date when it is one."""
    where = f"UDI AI ({ai.code}) {ai.name} at position {position}"
    if ai.fixed and len(value) != ai.length:
        raise UdiError(f"{where}: expected {ai.length} characters, got {len(value)} ({value!r})",
                       ai=ai.code, position=position)
    if not ai.fixed and not 1 <= len(value) <= ai.length:
        hint = "; is a GS separator missing after it?" if len(value) > ai.length else ""
        raise UdiError(f"{where}: expected 1 to {ai.length} characters, got {len(value)} ({value!r}){hint}",
                       ai=ai.code, position=position)
    if ai.kind == "text":
        if not CSET82.match(value):
            bad = next(c for c in value if not CSET82.match(c))
            raise UdiError(f"{where}: character {bad!r} is not allowed in a GS1 value ({value!r})",
                           ai=ai.code, position=position)
        return None
    if not value.isascii() or not value.isdigit():
        raise UdiError(f"{where}: expected digits, got {value!r}", ai=ai.code, position=position)
    if ai.kind == "check":
        expected = check_digit(value[:-1])
        if int(value[-1]) != expected:
            raise UdiError(f"{where}: check digit of {value} is {value[-1]}, expected {expected} "
                           "(mistyped or misread number)", ai=ai.code, position=position)
    if ai.kind == "date":
        return parse_date(value, ai.code, position, today)
    if ai.kind == "datetime":
        hour, minute = int(value[6:8]), int(value[8:10])
        if hour > 23 or minute > 59:
            raise UdiError(f"{where}: {value!r} has time {hour:02d}:{minute:02d} (expected hhmm)",
                           ai=ai.code, position=position)
        return f"{parse_date(value[:6], ai.code, position, today)}T{hour:02d}:{minute:02d}"
    return None


def _ai_at(text: str, pos: int) -> AI:
    for size in (2, 3, 4):
        ai = AIS.get(text[pos:pos + size])
        if ai is not None:
            return ai
    shown = text[pos:pos + 4].replace(GS, "<GS>")
    raise UdiError(f"UDI position {pos + 1}: unknown or unsupported GS1 application identifier starting "
                   f"{shown!r} (supported: {', '.join(AIS)})", ai=text[pos:pos + 2], position=pos + 1)


def _split_raw(text: str) -> list[tuple[str, str, int]]:
    """(ai, value, position) of a raw element string; a GS may follow any value."""
    out: list[tuple[str, str, int]] = []
    pos = 0
    while pos < len(text):
        if text[pos] == GS:
            pos += 1
            continue
        ai = _ai_at(text, pos)
        start = pos + len(ai.code)
        if ai.fixed:
            end = start + ai.length
        else:
            gs = text.find(GS, start)
            end = len(text) if gs < 0 else gs
        out.append((ai.code, text[start:end], start + 1))
        pos = end
    return out


_PAREN = re.compile(r"\s*\((\d{2,4})\)([^()]*)")


def _split_parenthesized(text: str) -> list[tuple[str, str, int]]:
    out: list[tuple[str, str, int]] = []
    pos = 0
    while pos < len(text):
        m = _PAREN.match(text, pos)
        if not m:
            raise UdiError(f"UDI position {pos + 1}: expected '(AI)' followed by its value, got "
                           f"{text[pos:pos + 12]!r}", position=pos + 1)
        code = m.group(1)
        if code not in AIS:
            raise UdiError(f"UDI position {m.start(1) + 1}: unknown or unsupported GS1 application identifier "
                           f"({code}) (supported: {', '.join(AIS)})", ai=code, position=m.start(1) + 1)
        out.append((code, m.group(2).strip(), m.start(2) + 1))
        pos = m.end()
    return out


def clean(text: str) -> str:
    """The element string: trimmed, symbology identifier dropped, `<GS>` and `\\x1d` made ASCII 29."""
    s = text.strip().replace("<GS>", GS).replace("\\x1d", GS).replace("\\x1D", GS)
    for prefix in SYMBOLOGY:
        if s.startswith(prefix):
            s = s[len(prefix):]
            break
    return s.lstrip(GS)


def looks_like_udi(text: str) -> bool:
    """True when `text` is written as a GS1 element string, not a plain lot or batch ID.

    Parentheses around an AI at the start, a symbology identifier or a GS
    separator make it a UDI. A bare digit run starting with 00 or 01 could
    be either; `raw_candidate` says when to try it as a UDI after it failed
    as an ID.
    """
    s = text.strip()
    if s.startswith(SYMBOLOGY) or GS in s or "<GS>" in s or "\\x1d" in s.lower():
        return True
    return bool(re.match(r"^\(\d{2,4}\)", s))


def raw_candidate(text: str) -> bool:
    """A digit run that starts like a raw GTIN (01 + 14 digits) or SSCC (00 + 18 digits)."""
    return bool(re.match(r"^(01\d{14}|00\d{18})", text.strip()))


def parse(text: str, *, today: dt.date | None = None) -> Udi:
    """Parse a UDI in either form; every element checked. Raises UdiError saying what and where."""
    today = today or dt.date.today()
    s = clean(text)
    if not s:
        raise UdiError("UDI is empty")
    pairs = _split_parenthesized(s) if s.startswith("(") else _split_raw(s)
    elements: dict[str, str] = {}
    dates: dict[str, str] = {}
    for code, value, position in pairs:
        if code in elements:
            raise UdiError(f"UDI position {position}: AI ({code}) appears twice", ai=code, position=position)
        iso = _check_value(AIS[code], value, position, today)
        elements[code] = value
        if iso:
            dates[code] = iso
    return Udi(elements=elements, dates=dates)


def lot_of(text: str, *, today: dt.date | None = None) -> tuple[str, Udi]:
    """The lot (AI 10) to trace and the parsed UDI; a UDI without a lot is an error."""
    udi = parse(text, today=today)
    if not udi.lot:
        shown = ", ".join(f"({k}) {AIS[k].name}" for k in udi.elements)
        raise UdiError(f"UDI has no lot (AI 10); it holds {shown}", ai="10")
    return udi.lot, udi
