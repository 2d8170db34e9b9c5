"""The message catalog (report/messages.yaml) knows every message batchkit writes, and gives it back exactly.

The corpus: every finding and every refusal of the bad-inputs cases (tests/test_bad_inputs.py) and
every finding of a small demo plant. Each message must match a template of its check (no fallback), the
template filled with the matched fields must reproduce the English byte for byte, and the Chinese
rendering must keep every field (IDs, values) and add no English word of its own.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import batchkit
from batchkit.core.errors import DataError
from batchkit.core.params import Params
from batchkit.report import messages
from batchkit.report.i18n import Translator
from tests.conftest import BASE, write_tables
from tests.test_bad_inputs import CASES

ZH = Translator("zh-CN")


def _corpus(tmp: Path) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for n, case in enumerate(CASES):
        folder = write_tables(tmp / f"case{n}", BASE)
        case.build(folder)
        try:
            ds = batchkit.load_dataset(folder, Params())
        except DataError as exc:
            found.append((exc.check or "unreadable", str(exc)))
            continue
        f = batchkit.validate(ds)
        found += list(zip(f["check"], f["message"], strict=True))
    from batchkit.demo.write import write_demo

    demo = tmp / "demo"
    write_demo(demo, seed=3, batches=60, fmt="csv")
    f = batchkit.validate(batchkit.load_dataset(demo, Params()))
    found += list(zip(f["check"], f["message"], strict=True))
    return sorted(set(found))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> list[tuple[str, str]]:
    return _corpus(tmp_path_factory.mktemp("corpus"))


def test_the_corpus_covers_many_checks(corpus):
    assert len({code for code, _ in corpus}) >= 30


def test_every_message_matches_a_template_and_round_trips(corpus):
    missing = []
    for code, message in corpus:
        m = messages.WHERE.match(message)
        detail = m.group("detail") if m else message
        found = messages.match(detail, code) or messages.match(message, code)
        if found is None:
            missing.append((code, message))
            continue
        template, fields = found
        text = detail if template.match(detail) is not None else message
        assert template.render(fields, "en") == text
    assert missing == []


def test_chinese_keeps_the_fields_and_adds_no_english(corpus):
    english = []
    for code, message in corpus:
        zh = messages.translate(message, code, ZH)
        assert zh != message, message
        m = messages.WHERE.match(message)
        detail = m.group("detail") if m else message
        _, fields = messages.match(detail, code) or messages.match(message, code)  # type: ignore[misc]
        rest = zh
        if m:
            rest = rest.replace(m.group("source"), "", 1).replace(m.group("column") or "\0", "")
        for value in sorted(messages._fields_zh(code, fields).values(), key=len, reverse=True):
            assert value in zh, (value, zh)
            rest = rest.replace(value, "")
        english += [(word, zh) for word in re.findall(r"[A-Za-z][A-Za-z0-9_]*[A-Za-z0-9]", rest)
                    if word not in ALLOWED]
    assert english == [], "\n".join(f"{w}: {z}" for w, z in english)


# words the Chinese renderings keep on purpose: identifiers of the data contract (params keys, table and
# column names, formats a user types), names of file formats and encodings, and the product's name
ALLOWED = {"operations", "csv", "CSV", "GBK", "UTF", "NaN", "Excel", "zip", "xlsx", "Parquet", "SQL", "NUL",
           "YYYY", "MM", "DD", "sources", "delimiter", "material_lots", "unit_cost", "qty_started", "doc_id",
           "batches", "qty_good", "pass", "fail", "batchkit", "rates", "dates", "DMY", "MDY", "order", "valid_to",
           "valid_from", "scrap", "rework", "use_as_is", "return", "encoding"}


def test_driver_details_in_chinese():
    assert messages.translate_detail("lot L-9 of RESIN from supplier unknown (+0.1234/unit)", ZH) == \
        "供应商 未知 的物料 RESIN，批号 L-9（每单位 +0.1234）"
    assert messages.translate_detail("sub-assembly batch S1 (SUB-A) (-0.5000/unit)", ZH) == \
        "半成品批次 S1（SUB-A）（每单位 -0.5000）"
    assert messages.translate_detail("yield 90.0 % vs 96.0 % in the reference", ZH) == "良率 90.0%，参考批次为 96.0%"
    english = Translator("en")
    assert messages.translate_detail("yield 90.0 % vs 96.0 % in the reference", english) == \
        "yield 90.0 % vs 96.0 % in the reference"


def test_a_message_in_chinese_names_file_row_and_column():
    message = "material_issues.csv row 7 column batch_id: batch 'ZZ9' is not in batches; its costs are excluded"
    assert messages.translate(message, "orphan", ZH) == \
        "material_issues.csv 第 7 行 batch_id 列：批次 'ZZ9' 不在 batches 表中；其成本已排除"
    assert messages.translate(message, "orphan", Translator("en")) == message
