"""The registry of check codes: every problem batchkit can report, with its severity and its words.

A finding (and a refusing `DataError`) names its check by code. The code is
data that tools filter on (`validate --json`, the `data_quality` table); the
title is what people read, in the report's language; the description says
what the check looks at. docs/CHECKS.md is generated from this table (and a
test keeps it in sync), docs/BAD-INPUTS.md and the data-quality report show
the titles, and `Findings.add` refuses a code that is not registered, so a
new check cannot ship without its words.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]
Stage = Literal["ingest", "checks", "tracing"]


@dataclass(frozen=True)
class CheckCode:
    code: str
    severity: tuple[Severity, ...]  # the severities it is reported with (empty_table: error or warning)
    stage: Stage  # where it is found: reading and typing the inputs, the checks, or a trace
    description: str  # what is checked, in one line
    title_en: str
    title_zh: str

    def title(self, language: str) -> str:
        return self.title_zh if language == "zh-CN" else self.title_en


E: tuple[Severity, ...] = ("error",)
W: tuple[Severity, ...] = ("warning",)
EW: tuple[Severity, ...] = ("error", "warning")

_CODES = (
    # ---------------------------------------------------------------- reading a table
    CheckCode("missing_folder", E, "ingest", "the data folder given does not exist",
              "Data folder not found", "找不到数据文件夹"),
    CheckCode("missing_table", E, "ingest", "a required table (batches, material_issues) has no file or source, or "
              "operations book hours without a rates table", "Required table missing", "缺少必需的数据表"),
    CheckCode("ambiguous_table", E, "ingest", "more than one file for one table (batches.csv and batches.xlsx)",
              "More than one file for a table", "同一数据表有多个文件"),
    CheckCode("unreadable", E, "ingest", "a table that cannot be read at all", "Table cannot be read",
              "数据表无法读取"),
    CheckCode("empty_file", E, "ingest", "a file or sheet without even a header row", "Empty file", "文件为空"),
    CheckCode("not_text", E, "ingest", "a .csv file that is binary (a workbook saved under a .csv name, NUL bytes)",
              "Not a text file", "不是文本文件"),
    CheckCode("encoding", E, "ingest", "bytes that cannot be decoded in the declared (or any supported) encoding",
              "Unreadable encoding", "无法识别的文字编码"),
    CheckCode("mixed_encoding", E, "ingest", "a file whose lines are partly UTF-8 and partly GBK",
              "Mixed encodings in one file", "同一文件混用多种编码"),
    CheckCode("csv_parse", E, "ingest", "CSV text that cannot be parsed at all", "CSV cannot be parsed",
              "CSV 无法解析"),
    CheckCode("malformed_row", E, "ingest", "a row with more or fewer fields than the header (stray quote or "
              "delimiter, truncated file)", "Malformed row", "行格式错误"),
    CheckCode("delimiter", W, "ingest", "a file separated by semicolons, tabs or pipes instead of commas",
              "Not comma-separated", "分隔符不是逗号"),
    CheckCode("parquet", E, "ingest", "a .parquet file that is not readable Parquet", "Unreadable Parquet file",
              "Parquet 文件无法读取"),
    CheckCode("xlsx", E, "ingest", "a .xlsx file that is not a readable workbook", "Unreadable workbook",
              "Excel 工作簿无法读取"),
    CheckCode("xlsx_sheet", E, "ingest", "the sheet named in params does not exist in the workbook",
              "Sheet not found", "找不到工作表"),
    CheckCode("merged_header", E, "ingest", "merged header cells in a workbook", "Merged header cells",
              "表头单元格被合并"),
    CheckCode("sql_url", E, "ingest", "a SQL source without a usable URL (url or the url_env variable)",
              "SQL source without a URL", "SQL 数据源缺少连接地址"),
    CheckCode("sql", E, "ingest", "a SQL source whose query fails or returns no columns", "SQL query failed",
              "SQL 查询失败"),
    CheckCode("duplicate_column", E, "ingest", "a column named twice in a header (after the params' header map)",
              "Column named twice", "列名重复"),
    CheckCode("missing_column", E, "ingest", "a required column is absent from a table's header",
              "Required column missing", "缺少必需的列"),
    CheckCode("header_cleaned", W, "ingest", "headers matched to contract columns only after trimming or a change "
              "of case", "Header read loosely", "表头经修正后识别"),
    CheckCode("blank_rows", W, "ingest", "empty rows inside a table (skipped; row numbers keep counting them)",
              "Blank rows skipped", "已跳过空行"),
    CheckCode("numeric_id", W, "ingest", "IDs stored as numbers in a file (leading zeros the source had are lost)",
              "IDs stored as numbers", "编号以数字形式存储"),
    # ---------------------------------------------------------------- typing cells
    CheckCode("non_numeric", E, "ingest", "a number column with a cell that is not a number", "Not a number",
              "不是数字"),
    CheckCode("number_format", W, "ingest", "a number read after removing thousands separators or normalizing "
              "full-width characters", "Number read loosely", "数字经修正后识别"),
    CheckCode("number_too_large", E, "ingest", "a number of 10^13 or more (beyond what is computed exactly)",
              "Number too large", "数值过大"),
    CheckCode("bad_date", E, "ingest", "a date cell that is not a date, not a calendar day, or ambiguous (day/month)",
              "Not a date", "不是有效日期"),
    CheckCode("date_format", W, "ingest", "a date read from another format than YYYY-MM-DD (2026/01/05, 20260105)",
              "Date read loosely", "日期格式不规范"),
    CheckCode("bad_period", E, "ingest", "a period cell that is not a month YYYY-MM", "Not a period", "不是有效期间"),
    CheckCode("period_format", W, "ingest", "a period read loosely (2026-1, 2026/01, 202601)", "Period read loosely",
              "期间格式不规范"),
    CheckCode("id_normalized", W, "ingest", "a batch ID changed by the params' normalization rules",
              "Batch ID normalized", "批次号已规范化"),
    CheckCode("invalid_id", E, "ingest", "a batch ID that does not match the params' pattern after normalization",
              "Invalid batch ID", "批次号不合规"),
    # ---------------------------------------------------------------- rows and keys
    CheckCode("empty_table", EW, "checks", "a required table with no rows (batches: error; material_issues: warning)",
              "Table has no rows", "数据表没有数据行"),
    CheckCode("missing_value", E, "checks", "an empty cell in a required column", "Required value empty",
              "必填值为空"),
    CheckCode("negative_value", E, "checks", "a negative value where the contract requires >= 0",
              "Negative value", "数值为负"),
    CheckCode("not_positive", E, "checks", "a value that must be > 0 (shipment qty) is 0 or negative",
              "Value not positive", "数值不为正"),
    CheckCode("precision", W, "checks", "a number with more than 9 decimals (rounded)", "Too many decimals",
              "小数位过多"),
    CheckCode("amount_too_large", E, "checks", "a row amount (qty x unit cost, hours x rate) too large to total "
              "exactly", "Row amount too large", "单行金额过大"),
    CheckCode("duplicate_doc", E, "checks", "a document line (doc_id) that appears twice: posted twice?",
              "Document line posted twice", "单据行重复过账"),
    CheckCode("duplicate_key", E, "checks", "a repeated key (batch_id, lot_id, pool_id per period, ...)",
              "Duplicate key", "主键重复"),
    CheckCode("duplicate_row", W, "checks", "a transaction line identical to an earlier one and without a doc_id",
              "Identical row without a document", "无单据号的重复行"),
    # ---------------------------------------------------------------- links between tables
    CheckCode("orphan", W, "checks", "a row naming a batch that is not in the batch master (its costs are excluded)",
              "Batch not in the master", "批次不在批次主数据中"),
    CheckCode("end_before_start", E, "checks", "a batch that ends before it starts", "Ends before it starts",
              "结束日期早于开始日期"),
    CheckCode("qty_exceeds_started", W, "checks", "good + scrap units exceed the units started",
              "More output than started", "产出数量超过投产数量"),
    CheckCode("zero_good_completed", W, "checks", "a completed batch with no good units (no unit cost; all its cost "
              "is scrap)", "Completed without good units", "完工但无合格品"),
    CheckCode("ambiguous_lot", E, "checks", "a lot ID that is both a purchased lot and a batch",
              "Lot is also a batch", "批号同时是批次号"),
    CheckCode("unknown_lot", W, "checks", "an issued lot that is neither in material_lots nor a batch (costed at the "
              "row's unit cost)", "Unknown lot", "未知批号"),
    CheckCode("no_unit_cost", E, "checks", "an issue row without a unit cost, and none in material_lots",
              "No unit cost", "缺少单位成本"),
    CheckCode("lot_material", W, "checks", "an issue's material differs from its lot's material",
              "Material differs from its lot", "物料与批号不符"),
    CheckCode("net_negative_issue", E, "checks", "more of a lot returned by a batch than was issued to it",
              "More returned than issued", "退料多于领料"),
    CheckCode("genealogy_cycle", E, "checks", "batches that consume each other (or themselves)",
              "Genealogy cycle", "批次谱系存在循环"),
    CheckCode("consumed_before_start", E, "checks", "a sub-assembly batch issued before it started",
              "Consumed before it started", "子组件批次在开始前被领用"),
    CheckCode("consumes_no_output", E, "checks", "a sub-assembly batch issued although it has no good output",
              "Consumes a batch without output", "领用了无合格品的批次"),
    CheckCode("overconsumed_subassembly", W, "checks", "a sub-assembly batch issued more units in all than it has "
              "good units", "Sub-assembly over-consumed", "子组件领用超过合格数量"),
    CheckCode("date_outside_periods", W, "checks", "a posting dated outside every period of the dataset",
              "Date outside the dataset's periods", "日期超出数据期间"),
    CheckCode("before_batch_start", W, "checks", "a posting dated before its batch started", "Posted before the "
              "batch started", "过账日期早于批次开始"),
    CheckCode("bad_result", W, "checks", "an inspection result other than pass or fail", "Unknown inspection result",
              "检验结果无法识别"),
    CheckCode("failed_exceeds_tested", W, "checks", "more units failed than were tested", "More failed than tested",
              "不合格数多于检验数"),
    CheckCode("bad_disposition", W, "checks", "a nonconformance disposition other than scrap, rework, use_as_is, "
              "return", "Unknown disposition", "处置方式无法识别"),
    CheckCode("overshipped", W, "checks", "a batch shipping more units than its good units", "Shipped more than made",
              "发货数量超过合格数量"),
    # ---------------------------------------------------------------- what costing needs
    CheckCode("bad_rate_range", E, "checks", "a rate whose valid_to is before its valid_from", "Rate validity reversed",
              "费率有效期颠倒"),
    CheckCode("missing_rate", E, "checks", "no rate in force for a work center on a booking date",
              "No rate on a booking date", "过账日期无有效费率"),
    CheckCode("ambiguous_rate", E, "checks", "two rates of a work center share the latest valid_from in force",
              "Two rates in force", "同时有两个有效费率"),
    CheckCode("unallocated_pool", W, "checks", "a pool that no batch in its scope can take (reported as unallocated)",
              "Pool nobody takes", "费用池无法分摊"),
    CheckCode("negative_pool", W, "checks", "a negative pool amount (a credit; allocated as such)",
              "Negative pool", "费用池金额为负"),
    CheckCode("negative_basis", W, "checks", "a batch with a negative net basis in a pool's period (left out)",
              "Negative allocation basis", "分摊基数为负"),
    CheckCode("reserved_element", W, "checks", "a pool or direct cost named after an element batchkit computes "
              "(material, labor, ...)", "Reserved cost element", "使用了保留的成本要素名"),
    CheckCode("no_standard", W, "checks", "an item with completed batches but no standard cost (no variances)",
              "No standard cost", "没有标准成本"),
    CheckCode("bad_overhead_behavior", E, "checks", "a standard overhead behavior other than fixed or variable",
              "Unknown overhead behavior", "标准制造费用性态无法识别"),
    # ---------------------------------------------------------------- tracing
    CheckCode("period", E, "tracing", "a trace that cannot choose its period, or a cost result of another period",
              "Period cannot be chosen", "无法确定期间"),
)

CODES: dict[str, CheckCode] = {c.code: c for c in _CODES}


def check_code(code: str) -> CheckCode:
    """The registered code; KeyError (a bug, not a data problem) for an unknown one."""
    try:
        return CODES[code]
    except KeyError:
        raise KeyError(f"check code {code!r} is not registered in batchkit.core.check_codes") from None


def title(code: str, language: str = "en") -> str:
    """The check's title in a language; the code itself for an unregistered one (old findings files)."""
    found = CODES.get(code)
    return found.title(language) if found else code
