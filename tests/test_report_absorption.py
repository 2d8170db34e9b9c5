"""Reports of issue 17: contribution margin beside gross margin, the absorption table and its trend, and the
what-if's actual against predetermined rates, in English and Chinese.

The plant is tests/test_absorption.py's (P-DEP 90.00 in 2026-01 by machine hours A 2, B 3, C 4; February: B 1
hour, no P-DEP row yet), costed for 2026-02 with P-DEP at 9.00 a machine hour (difference: expense), plus two
shipments in February. Figures by hand:
- January: absorbed 9 x (2 + 3 + 4) = 81.00 of 90.00, difference +9.00 (under-absorbed);
  February: B absorbs 9 x 1 = 9.00 of an actual 0.00, difference -9.00.
- A (10 good): material 10.00 + machine 2 x 5.00 + absorbed 18.00 = 38.00, variable 20.00 (material, machine);
  C (20 good): 20.00 + 20.00 + 36.00 = 76.00, variable 40.00.
- Shipments: A 5 units to CUST1 for 50.00: cost of sales 5 x 38/10 = 19.00, margin 31.00, variable 5 x 20/10
  = 10.00, contribution 40.00 (80 %); C 10 units to CUST2 for 100.00: cost 10 x 76/20 = 38.00, margin 62.00,
  variable 10 x 40/20 = 20.00, contribution 80.00 (80 %).
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

import batchkit
from batchkit.core.params import Params
from batchkit.report import sections, views
from batchkit.report.data import RunData, report_tables
from batchkit.report.page import Report
from batchkit.store.cost_folder import output_tables
from tests.conftest import write_tables
from tests.test_absorption import PLANT as BASE_PLANT

PLANT = {**BASE_PLANT, "shipments": """
    batch_id,customer,ship_date,qty,revenue
    A,CUST1,2026-02-05,5,50
    C,CUST2,2026-02-06,10,100
"""}
RATES = {"rates": {"by_pool": {"P-DEP": 9.00}}}
PARAMS_YAML = "absorption:\n  rates:\n    by_pool: {P-DEP: 9.00}\n"


def run_data(tmp_path: Path, **params) -> RunData:
    p = Params.model_validate(params)
    ds = batchkit.load_dataset(write_tables(tmp_path / "data", PLANT), p)
    result = batchkit.cost(ds, "2026-02", p)
    tables = output_tables(result)
    tables.update(report_tables(result))
    return RunData(period="2026-02", currency=p.currency, tables=tables, manifest={"params": p.resolved()})


def shown(section, rep: Report) -> str:
    """What a section displays, as one HTML string."""
    import batchkit.report.page as page

    out: list[str] = []
    saved = page._display
    page._display = out.append
    try:
        section(rep)
    finally:
        page._display = saved
    return "".join(out)


def test_absorption_trend_and_period_rows(tmp_path):
    data = run_data(tmp_path, absorption=RATES)
    trend = views.absorption_trend(data).set_index("period")
    assert trend.loc["2026-01", ["pools", "actual_amount", "absorbed_amount", "difference_amount"]].tolist() == \
        [1, 90.0, 81.0, 9.0]
    assert trend.loc["2026-01", "difference_pct"] == 10.0  # 100 x 9 / 90
    assert trend.loc["2026-02", ["actual_amount", "absorbed_amount", "difference_amount"]].tolist() == \
        [0.0, 9.0, -9.0]
    assert math.isnan(trend.loc["2026-02", "difference_pct"])  # no actual amount yet
    now = views.absorption(data)
    assert now[["pool_id", "period", "absorbed_amount"]].values.tolist() == [["P-DEP", "2026-02", 9.0]]


def test_actual_rates_beside_predetermined_ones(tmp_path):
    table = run_data(tmp_path, absorption=RATES)["absorption"]
    r = views.rate_comparison(table).set_index("period")
    # January: actual 90.00 over the 9 machine hours that took it = 10.00 an hour, 1.00 above the 9.00 rate;
    # February: 0.00 over 1 hour = 0.00, 9.00 below
    assert r.loc["2026-01", ["basis_total", "rate", "actual_rate", "rate_difference"]].tolist() == [9.0, 9.0, 10.0, 1.0]
    assert r.loc["2026-02", ["basis_total", "rate", "actual_rate", "rate_difference"]].tolist() == [1.0, 9.0, 0.0, -9.0]


def test_contribution_margin_beside_gross_margin_by_customer_and_line(tmp_path):
    data = run_data(tmp_path, absorption=RATES)
    by_customer = views.margin(data, "customer").set_index("customer")
    cols = ["revenue", "cost_of_sales", "margin", "variable_cost_of_sales", "contribution_margin",
            "contribution_margin_pct"]
    assert by_customer.loc["CUST1", cols].tolist() == [50.0, 19.0, 31.0, 10.0, 40.0, 80.0]
    assert by_customer.loc["CUST2", cols].tolist() == [100.0, 38.0, 62.0, 20.0, 80.0, 80.0]
    by_line = views.margin(data, "product_line").set_index("product_line")
    assert by_line.loc["L1", ["margin", "contribution_margin"]].tolist() == [31.0, 40.0]  # A is line L1
    assert by_line.loc["L2", ["margin", "contribution_margin"]].tolist() == [62.0, 80.0]  # C is line L2
    # without the split (an older run's shipment lines) the table is the gross margin one, as before
    old = RunData(period=data.period, currency="CNY", tables={
        "shipment_lines": data["shipment_lines"].drop(columns=["variable_cost_of_sales", "contribution_margin"])})
    assert list(views.margin(old, "customer").columns) == ["customer", "qty", "revenue", "cost_of_sales", "margin",
                                                           "margin_pct"]


@pytest.mark.parametrize("language", ["en", "zh-CN"])
def test_the_overview_sections_in_both_languages(tmp_path, language):
    data = run_data(tmp_path, absorption=RATES)
    rep = Report(name="x", data=data, language=language)
    page = shown(sections.absorption, rep)
    money = shown(sections.margin, rep)
    t = rep.t
    for key in ("section.absorption", "section.absorption_trend", "col.absorbed_amount", "col.rate",
                "treatment.expense", "basis.machine_hours"):
        assert t(key) in page, key
    # the period's sentence, money formatted with the currency: February absorbed 9.00 of 0.00, -9.00
    assert t("text.absorption", period="2026-02", absorbed="CNY 9.00", actual="CNY 0.00",
             difference="CNY -9.00") in page
    assert "expense" not in page and "machine_hours" not in page  # values named in the report's language
    for key in ("col.contribution_margin", "col.variable_cost_of_sales", "col.contribution_margin_pct",
                "text.contribution"):
        assert t(key) in money, key
    assert "80.0 %" in money  # the contribution margin %, formatted as a percent


def test_without_rates_the_sections_say_so(tmp_path):
    data = run_data(tmp_path)
    rep = Report(name="x", data=data, language="zh-CN")
    assert shown(sections.absorption, rep) == \
        '<p class="bk-note">未配置预定制造费用分配率：各费用池均按实际金额分摊。</p>'


def _whatif(tmp_path: Path, params_yaml: str, language: str = "en") -> Report:
    data = write_tables(tmp_path / "data", PLANT)
    (tmp_path / "params.yaml").write_text(params_yaml, encoding="utf-8")
    return Report.for_whatif(name="wi", configs={"as is": {}, "equal": {"default_basis": "equal"}},
                             period="2026-02", language=language, data=str(data),
                             params_path=str(tmp_path / "params.yaml"))


def test_whatif_rates_side_by_side_and_a_sentence_without_rates(tmp_path):
    rep = _whatif(tmp_path / "rated", PARAMS_YAML)
    html = shown(sections.whatif_rates, rep)
    assert rep.t("text.whatif_rates", baseline="as is") in html
    assert rep.t("col.actual_rate") in html and rep.t("col.rate") in html
    # the baseline's rows: January 10.0000 actual against 9.0000, February 0.0000 against 9.0000
    assert "10.0000" in html and "-9.0000" in html
    assert rep.whatif.absorption is not None and len(rep.whatif.absorption) == 2
    plain = _whatif(tmp_path / "plain", "language: zh-CN\n", language="zh-CN")
    assert plain.whatif.absorption is None
    assert shown(sections.whatif_rates, plain) == f'<p class="bk-text">{plain.t("text.whatif_no_rates")}</p>'


@pytest.mark.slow
def test_the_whatif_notebook_shows_the_rates_under_papermill(tmp_path, monkeypatch):
    import os

    import openpyxl
    import papermill

    data = write_tables(tmp_path / "data", PLANT)
    (tmp_path / "params.yaml").write_text(PARAMS_YAML, encoding="utf-8")
    root = Path(__file__).resolve().parent.parent
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")])))
    papermill.execute_notebook(str(root / "notebooks" / "allocation_whatif.ipynb"), str(tmp_path / "wi.ipynb"),
                               kernel_name="python3", progress_bar=False, parameters={
                                   "period": "2026-02", "data": str(data), "params_path": str(tmp_path / "params.yaml"),
                                   "output_dir": str(tmp_path), "configs": {"as is": {}}})
    book = openpyxl.load_workbook(tmp_path / "allocation_whatif.xlsx")
    sheet = book[next(n for n in book.sheetnames if n.startswith("Actual against"))]  # cut at 31 characters
    headers = [c.value for c in sheet[1]]
    rows = [dict(zip(headers, r, strict=True)) for r in sheet.iter_rows(min_row=2, values_only=True)]
    # January: 90.00 / 9 hours = 10.00 actual against 9.00; February 0.00 / 1 hour against 9.00
    assert [(r["Period"], r["Predetermined rate (CNY)"], r["Actual rate (CNY)"]) for r in rows] == \
        [("2026-01", 9.0, 10.0), ("2026-02", 9.0, 0.0)]
