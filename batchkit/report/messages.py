"""Data-quality messages and driver details in the report's language, from structured templates per check code.

batchkit writes its messages in English where they are found (ingest/, checks/); tests and
docs/BAD-INPUTS.md hold them byte for byte, and `validate --json` users parse them. The reports read
them as structures instead: `messages.yaml` gives, per check code, each message's English template
(literal text and {fields}) and its Chinese rendering. A message is matched against its check's
templates (the location prefix, "<file> row 5 column qty: ", is read once for all of them) and
rendered with the same fields; IDs, file names, column names and values pass through untouched.
English reports show the message as written. tests/test_messages.py keeps the catalog complete: every
message of the bad-inputs corpus and of the demo plant matches, and each template, filled with its
fields, gives back the English exactly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..core.check_codes import title as check_title
from .i18n import Translator
from .resources import load_yaml

_FILE = Path(__file__).with_name("messages.yaml")
_FIELD = re.compile(r"\{(\w+)\}")
# "<source> row 5 column qty: <detail>"; also "rows 3, 4", "line 7", or the source alone
WHERE = re.compile(r"^(?P<source>.+?)(?: (?P<unit>row|rows|line) (?P<at>[0-9?][0-9, ]*?))?"
                   r"(?: column (?P<column>[^\s:]+))?: (?P<detail>.+)$", re.S)
WHERE_ZH = {"row": "第 {at} 行", "rows": "第 {at} 行", "line": "第 {at} 行（文件行号）"}
VALUE_WORDS_ZH = {"unknown": "未知"}  # placeholders batchkit itself writes for a missing value


@dataclass(frozen=True)
class Template:
    en: str
    zh: str
    pattern: re.Pattern[str]

    def match(self, text: str) -> dict[str, str] | None:
        m = self.pattern.fullmatch(text)
        return m.groupdict() if m else None

    def render(self, fields: dict[str, str], language: str) -> str:
        text = self.zh if language == "zh-CN" else self.en
        return _FIELD.sub(lambda m: fields[m.group(1)], text)


def _compile(en: str) -> re.Pattern[str]:
    parts, last = [], 0
    for m in _FIELD.finditer(en):
        parts.append(re.escape(en[last:m.start()]))
        parts.append(f"(?P<{m.group(1)}>.+?)")
        last = m.end()
    parts.append(re.escape(en[last:]))
    return re.compile("".join(parts), re.S)


@lru_cache(maxsize=1)
def catalog() -> dict[str, tuple[Template, ...]]:
    """check code (or _summary, _details) -> its templates, in matching order."""
    raw = load_yaml(_FILE)
    return {code: tuple(Template(e["en"], e["zh-CN"], _compile(e["en"])) for e in entries)
            for code, entries in raw.items()}


def match(detail: str, code: str) -> tuple[Template, dict[str, str]] | None:
    """The template of `code` (or the summary line any check may end with) that `detail` is an instance of."""
    for key in (code, "_summary"):
        for template in catalog().get(key, ()):
            fields = template.match(detail)
            if fields is not None:
                return template, fields
    return None


def _where_zh(m: re.Match[str]) -> str:
    where = m.group("source")
    if m.group("unit"):
        where += " " + WHERE_ZH[m.group("unit")].format(at=m.group("at"))
    if m.group("column"):
        where += f" {m.group('column')} 列"
    return where


def translate(message: str, code: str, t: Translator) -> str:
    """A finding's message in the report's language (as written for English).

    A message no template knows (a check added without its words) is shown by its check's title and the
    English text, so nothing is lost; the catalog test makes that a failing test, not a silent gap.
    """
    if t.language != "zh-CN" or not message:
        return message
    m = WHERE.match(message)
    where, detail = (_where_zh(m), m.group("detail")) if m else ("", message)
    found = match(detail, code)
    if found is None:
        whole = match(message, code)  # a message with no location
        if whole is None:
            return f"{check_title(code, 'zh-CN')}：{message}"
        template, fields = whole
        return template.render(_fields_zh(code, fields), "zh-CN")
    template, fields = found
    text = template.render(_fields_zh(code, fields), "zh-CN")
    return f"{where}：{text}" if where else text


def translate_detail(detail: str, t: Translator) -> str:
    """An anomaly's driver detail (`top_driver_detail`) in the report's language."""
    if t.language != "zh-CN" or not detail:
        return detail
    for template in catalog()["_details"]:
        fields = template.match(detail)
        if fields is not None:
            return template.render({k: VALUE_WORDS_ZH.get(v, v) for k, v in fields.items()}, "zh-CN")
    return detail


def _fields_zh(code: str, fields: dict[str, str]) -> dict[str, str]:
    """Words inside fields that batchkit wrote itself: `'a' as 'b'` pairs of a header map, `and 3 more`."""
    if code == "amount_too_large" and "what" in fields:
        what = fields["what"].replace(" x ", " × ")
        for en, zh in (("unit cost", "单价"), ("labor rate", "人工费率"), ("machine rate", "机器费率")):
            what = what.replace(en, zh)
        fields = {**fields, "what": what}
    if code == "mixed_encoding":
        fields = {k: v.replace("not UTF-8", "非 UTF-8") for k, v in fields.items()}
    if code == "header_cleaned" and "pairs" in fields:
        pairs = re.sub(r" and (\d+) more$", r" 等另外 \1 个", fields["pairs"])
        fields = {**fields, "pairs": re.sub(r"('(?:[^'\\]|\\.)*'|\"[^\"]*\") as ", r"\1 → ", pairs)}
    return fields
