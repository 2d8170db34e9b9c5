"""The registry of headline figures (the `kpis` table): one definition per KPI, in English and Chinese.

`analyze.headline.kpis` computes them, every report's headline cards read them from
the `kpis` table and show the definitions below as footnotes, and
docs/DATA-FORMAT.md is generated from the same entries, so the words a
controller reads on paper are the words the code is tested against.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# how a KPI's value is read: money in the dataset's currency (exact cents), a percentage (0-100),
# a count, a quantity of units, or days
Kind = Literal["money", "pct", "count", "units", "days"]


@dataclass(frozen=True)
class KpiCode:
    name: str
    kind: Kind
    label_en: str
    label_zh: str
    definition_en: str
    definition_zh: str

    def label(self, language: str) -> str:
        return self.label_zh if language == "zh-CN" else self.label_en

    def definition(self, language: str) -> str:
        return self.definition_zh if language == "zh-CN" else self.definition_en

    def unit(self, currency: str) -> str:
        """The `unit` column of the kpis table."""
        return {"money": currency, "pct": "%", "count": "batches", "units": "units", "days": "days"}[self.kind]


_KPIS = (
    KpiCode("output_cost", "money", "cost of the period's output", "本期完工产出成本",
            "Total cost of the batches completed in the period (end_date in the period), less the part of it "
            "consumed into other batches by the period end (transferred_cost): each cent once, finished goods and "
            "sub-assemblies still in stock alike.",
            "本期完工批次（完工日期在本期内）的总成本，减去截至期末已被其他批次领用的部分（转出成本）：每一分钱只计一次，"
            "包括成品和尚未被领用的半成品。"),
    KpiCode("transferred_cost", "money", "cost passed on to other batches", "转入其他批次的成本",
            "The part of the period's completed batches' cost that other batches consumed by the period end "
            "(sub-assembly charges: qty x the batch's cost per good unit, rounded per issue row). "
            "output_cost + transferred_cost = the total cost of the batches completed in the period.",
            "本期完工批次的成本中，截至期末已被其他批次领用的部分"
            "（半成品转移：领用数量 × 该批次单位合格品成本，按领料行四舍五入）。"
            "完工产出成本 + 转出成本 = 本期完工批次的总成本。"),
    KpiCode("batches_completed", "count", "batches completed", "完工批次数",
            "Batches whose end_date falls in the period.", "完工日期在本期内的批次数。"),
    KpiCode("good_units", "units", "good units", "合格品数量",
            "Sum of qty_good of the batches completed in the period (sub-assemblies included).",
            "本期完工批次的合格数量之和（含半成品）。"),
    KpiCode("yield_pct", "pct", "yield", "良率",
            "Good units as a percentage of the units started, over the batches completed in the period.",
            "本期完工批次的合格数量占投产数量的百分比。"),
    KpiCode("scrap_cost", "money", "cost of scrap", "报废成本",
            "Sum of the scrap cost of the batches completed in the period (each batch: total cost x qty_scrap / "
            "qty_started, rounded to the cent).",
            "本期完工批次的报废成本之和（每批：总成本 × 报废数量 ÷ 投产数量，四舍五入到分）。"),
    KpiCode("abnormal_scrap_cost", "money", "abnormal scrap", "异常报废成本",
            "The part of scrap_cost above the params' normal scrap rate (scrap.normal_rate of qty_started).",
            "报废成本中超过参数正常报废率（scrap.normal_rate × 投产数量）的部分。"),
    KpiCode("quality_cost", "money", "cost of poor quality", "质量损失成本",
            "Scrap cost plus rework cost (rework nonconformances' cost and direct costs booked as rework) of the "
            "batches completed in the period.",
            "本期完工批次的报废成本加返工成本（返工类不合格品报告的成本及记为返工的直接费用）。"),
    KpiCode("wip_value", "money", "WIP at period end", "期末在制品价值",
            "Cost to date of the batches open at the period end (started, no end_date on or before it).",
            "期末仍未完工批次（已开工、期末前无完工日期）截至期末的累计成本。"),
    KpiCode("wip_batches", "count", "open batches", "在制批次数",
            "Batches open at the period end.", "期末仍未完工的批次数。"),
    KpiCode("wip_days", "days", "average days open", "平均在制天数",
            "Mean number of calendar days the open batches have been open at the period end (start day and "
            "period end both counted).",
            "期末在制批次自开工日至期末的平均日历天数（首尾两天均计入）。"),
    KpiCode("unit_cost_within_3pct", "pct", "batches within 3 % of their unit cost", "单位成本波动在 3% 以内的批次",
            "Share of the period's completed batches whose unit cost is within 3 % of their item's reference "
            "unit cost (the median over the comparison window, variance.window_periods); batches whose item has "
            "fewer than variance.min_batches batches in the window have no reference and are left out.",
            "本期完工批次中，单位成本与同物料参考单位成本（比较窗口 variance.window_periods 内的中位数）偏差不超过 3% "
            "的批次占比；窗口内批次少于 variance.min_batches 的物料没有参考值，不计入。"),
    KpiCode("gross_margin", "money", "gross margin of the period's shipments", "本期发货毛利",
            "Revenue less cost of sales of the shipment lines dated in the period whose batch has a unit cost "
            "and that have a revenue (cost of sales: qty x the batch's unit cost, rounded per line).",
            "本期发货记录中有收入且批次有单位成本的行：收入减销售成本"
            "（销售成本 = 数量 × 批次单位成本，按行四舍五入）。"),
)

KPIS: dict[str, KpiCode] = {k.name: k for k in _KPIS}


def kpi_code(name: str) -> KpiCode:
    """The registered KPI; KeyError for an unknown name (a bug)."""
    try:
        return KPIS[name]
    except KeyError:
        raise KeyError(f"KPI {name!r} is not registered in batchkit.core.kpi_codes") from None
