"""GS1 UDI parsing: both forms, lots at the end and in the middle, check digits, dates, clear errors."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from batchkit.core.errors import UdiError
from batchkit.tracing import udi

GS = "\x1d"
GTIN = "09506000134352"
TODAY = dt.date(2026, 3, 1)


def parse(text: str) -> udi.Udi:
    return udi.parse(text, today=TODAY)


def error(text: str) -> UdiError:
    with pytest.raises(UdiError) as exc:
        udi.lot_of(text, today=TODAY)
    return exc.value


def test_check_digit_by_hand():
    # 0950600013435, weights 3,1,3,... from the right: 5x3 + 3 + 4x3 + 3 + 1x3 + 0 + 0 + 0 + 6x3 + 0 + 5x3 + 9 + 0
    # = 15 + 3 + 12 + 3 + 3 + 18 + 15 + 9 = 78 -> (10 - 8) % 10 = 2
    assert udi.check_digit("0950600013435") == 2
    assert udi.check_digit("0000000000000") == 0


def test_parenthesized_form_with_every_field_a_label_shows():
    u = parse(f"(01){GTIN}(11)260115(17)280200(10)LOT-42(21)SN/0001")
    assert u.elements == {"01": GTIN, "11": "260115", "17": "280200", "10": "LOT-42", "21": "SN/0001"}
    # day 00 is the last day of the month; 2028 is a leap year
    assert u.dates == {"11": "2026-01-15", "17": "2028-02-29"}
    assert (u.gtin, u.lot, u.serial, u.expiry) == (GTIN, "LOT-42", "SN/0001", "2028-02-29")


def test_human_readable_text_may_have_spaces_between_elements():
    assert parse(f"(01) {GTIN} (10) A1 (21) 7").elements == {"01": GTIN, "10": "A1", "21": "7"}


def test_raw_form_lot_in_the_middle_ends_at_gs():
    u = parse(f"01{GTIN}10LOT42{GS}17270228")
    assert u.elements == {"01": GTIN, "10": "LOT42", "17": "270228"}
    assert u.expiry == "2027-02-28"


def test_raw_form_lot_at_the_end_needs_no_gs():
    assert parse(f"01{GTIN}1727022810LOT42").elements == {"01": GTIN, "17": "270228", "10": "LOT42"}
    assert parse(f"01{GTIN}10LOT42{GS}21SN9").elements == {"01": GTIN, "10": "LOT42", "21": "SN9"}


@pytest.mark.parametrize("prefix", ["]d2", "]C1", "]Q3", "]e0", ""])
@pytest.mark.parametrize("sep", [GS, "<GS>", "\\x1d"])
def test_symbology_identifiers_and_written_gs(prefix, sep):
    u = parse(f"{prefix}01{GTIN}10ABC{sep}21S1\r\n")
    assert u.elements == {"01": GTIN, "10": "ABC", "21": "S1"}


def test_a_gs_after_a_fixed_length_field_is_allowed():
    assert parse(f"01{GTIN}{GS}10ABC").lot == "ABC"


def test_other_device_label_ais():
    u = parse(f"(00)000000000000000000(02){GTIN}(240)REF 1(30)12(7003)2702281330(8020)PAY1(10)L1"
              .replace("REF 1", "REF-1"))
    assert u.elements["240"] == "REF-1" and u.elements["30"] == "12"
    assert u.dates == {"7003": "2027-02-28T13:30"}


def test_century_rule_keeps_dates_within_fifty_years():
    # today 2026: 75 is 49 years ahead (2075), 77 is 51 ahead (1977), 99 -> 1999
    assert [udi.gs1_year(yy, TODAY) for yy in (26, 75, 77, 99, 0)] == [2026, 2075, 1977, 1999, 2000]


def test_wrong_gtin_check_digit():
    e = error("(01)09506000134353(10)X")
    assert str(e) == ("UDI AI (01) GTIN at position 5: check digit of 09506000134353 is 3, expected 2 "
                      "(mistyped or misread number)")
    assert (e.ai, e.position) == ("01", 5)


def test_unknown_ai_raw_and_parenthesized():
    e = error(f"01{GTIN}9912345")
    assert str(e).startswith("UDI position 17: unknown or unsupported GS1 application identifier starting '9912' "
                             "(supported: 00, 01, 02, 10, 11")
    assert (e.ai, e.position) == ("99", 17)
    e = error(f"(01){GTIN}(99)X")
    assert str(e).startswith("UDI position 20: unknown or unsupported GS1 application identifier (99)")


def test_a_udi_without_a_lot():
    assert str(error(f"(01){GTIN}(17)270228")) == "UDI has no lot (AI 10); it holds (01) GTIN, (17) expiry date"


@pytest.mark.parametrize(("text", "message"), [
    (f"(01){GTIN}(17)271301(10)A", "UDI AI (17) at position 23: '271301' has month 13 (expected YYMMDD with month "
                                   "01-12)"),
    (f"(01){GTIN}(17)270230(10)A", "UDI AI (17) at position 23: '270230' has day 30, but 2027-02 has 28 days"),
    (f"(01){GTIN}(17)2702(10)A", "UDI AI (17) expiry date at position 23: expected 6 characters, got 4 ('2702')"),
    (f"01{GTIN}10ABCDEFGHIJKLMNOPQRSTU21X", "UDI AI (10) lot at position 19: expected 1 to 20 characters, got 24 "
                                            "('ABCDEFGHIJKLMNOPQRSTU21X'); is a GS separator missing after it?"),
    (f"(01){GTIN}(10)A B", "UDI AI (10) lot at position 23: character ' ' is not allowed in a GS1 value ('A B')"),
    (f"(01){GTIN}(10)A(10)B", "UDI position 28: AI (10) appears twice"),
    ("(01)0950600013435X(10)A", "UDI AI (01) GTIN at position 5: expected digits, got '0950600013435X'"),
    ("(01", "UDI position 1: expected '(AI)' followed by its value, got '(01'"),
    ("]d2", "UDI is empty"),
])
def test_malformed_udis_say_what_and_where(text, message):
    assert str(error(text)) == message


def test_what_looks_like_a_udi():
    assert [udi.looks_like_udi(t) for t in ("F1", "L-RES-01", f"(01){GTIN}", f"]d201{GTIN}", f"A{GS}B", "a<GS>b")] \
        == [False, False, True, True, True, True]
    assert [udi.raw_candidate(t) for t in (f"01{GTIN}10A", "0123", "F1")] == [True, False, False]


CSET82 = "!\"%&'*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"
values = st.text(alphabet=CSET82, min_size=1, max_size=20)


@given(body=st.text(alphabet="0123456789", min_size=13, max_size=13), lot=values, serial=values,
       lot_first=st.booleans())
def test_both_forms_read_back_what_was_encoded(body, lot, serial, lot_first):
    gtin = body + str(udi.check_digit(body))
    pairs = [("10", lot), ("21", serial)]
    if lot_first:
        pairs.reverse()
    raw = f"01{gtin}" + GS.join(ai + v for ai, v in pairs)
    human = f"(01){gtin}" + "".join(f"({ai}){v}" for ai, v in pairs)
    expected = {"01": gtin, "10": lot, "21": serial}
    assert parse(raw).elements == expected
    assert parse(human).elements == expected
