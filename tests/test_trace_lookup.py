"""A trace normalizes the one ID it is given exactly as the loader normalizes every batch ID.

The loader (ingest.ids) applies the params' rules with Arrow's Unicode kernels; a cached trace applies
them in pure Python to ASCII text and hands other text to the loader's own function (tracing.lookup).
The invariant: for any text and any rules, both give the same string.
"""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from batchkit.core.params import BatchIdRules
from batchkit.ingest.ids import normalize_ids as loader_normalize
from batchkit.tracing.lookup import normalize_id, normalize_ids

ASCII = st.characters(max_codepoint=127)
# what people put between the parts of an ID, plus letters (removed after upper-casing, so a lower-case
# one never matches), regex specials and a few non-ASCII separators
REMOVE = st.text(alphabet=st.sampled_from([*"-_ ./\\[]^$*+?(){}|#&~\t\nab AZ09", "－", "ß", "\u00a0"]),
                 max_size=6)
RULES = st.builds(BatchIdRules, strip=st.booleans(), upper=st.booleans(), remove=REMOVE)


def loader(texts: list[str], rules: BatchIdRules) -> list[str]:
    return [str(x) for x in loader_normalize(pd.Series(texts, dtype="str"), rules)]


@given(text=st.text(alphabet=ASCII, max_size=24), rules=RULES)
@settings(max_examples=400, deadline=None)
def test_ascii_ids_in_pure_python_equal_the_loaders_arrow_rules(text, rules):
    assert text.isascii()
    assert normalize_id(text, rules) == loader([text], rules)[0]


@given(texts=st.lists(st.text(max_size=12), max_size=8), rules=RULES)
@settings(max_examples=200, deadline=None)
def test_any_text_equals_the_loaders_rules_in_order(texts, rules):
    assert normalize_ids(texts, rules) == loader(texts, rules)


def test_every_ascii_character_alone_and_inside_an_id():
    rules = BatchIdRules(remove="-_ ")
    chars = [chr(c) for c in range(128)]
    texts = chars + [f"{c}b-26_01 {c}x{c}" for c in chars]
    assert normalize_ids(texts, rules) == loader(texts, rules)
    # Python and Arrow agree that the information separators 0x1c-0x1f are white space
    assert normalize_id("\x1cb26\x1f", rules) == "B26"


def test_text_where_pythons_unicode_differs_goes_through_the_loader():
    # Arrow (utf8proc, Unicode 16) upper-cases sharp s to capital sharp s; Python's str.upper gives "SS"
    rules = BatchIdRules()
    assert "ß".upper() == "SS"
    assert normalize_id(" straße-1 ", rules) == loader([" straße-1 "], rules)[0] == "STRAẞE1"
    # U+0264 gained an upper case (U+A7CB) in Unicode 16, which Python has only from 3.14
    assert normalize_id("\u0264", rules) == loader(["\u0264"], rules)[0]
