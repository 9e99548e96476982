"""The KPI report as the API, the page, the CSV export and `huifang kpis` show it: every figure
with its numerator, denominator, change and sharp mark, and the definitions beside them."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel

from huifang.documents.table import Cell, Table
from huifang.settings import Settings
from storage.kpi_definitions import BY_KEY, KpiDefinition, KpiKey, KpiUnit
from storage.kpis import Figure, KpiReport, KpiTargets, SharpChangeRule

UNIT_LABELS = {KpiUnit.PERCENT: "%", KpiUnit.WORKING_DAYS: "工作日"}
TABLE_HEADERS = (
    "期间", "期间起", "期间止", "分组", "指标", "数值", "单位", "分子", "分母", "上期", "变化",
    "突变", "目标", "不达标",
)  # fmt: skip


class KpiDefinitionOut(BaseModel):
    """What one figure counts: numerator, denominator, which rows, which date buckets them."""

    key: KpiKey
    name: str
    unit: KpiUnit
    unit_label: str
    numerator: str
    denominator: str
    counts: str
    bucketed_by: str
    higher_is_better: bool
    target: float | None = None


class FigureOut(BaseModel):
    """One figure of one period and group; value and change in the definition's unit."""

    key: KpiKey
    value: float | None
    numerator: float
    denominator: int
    previous: float | None
    change: float | None
    sharp: bool
    target: float | None = None
    below_target: bool = False


class KpiRowOut(BaseModel):
    """The figures of one period (first to last day, inclusive) and group."""

    period: str
    start: date
    end: date
    group: str
    figures: list[FigureOut]


class SharpRuleOut(BaseModel):
    """When a change from the period before is marked."""

    percent_points: float
    working_days: float
    min_denominator: int


class KpiReportOut(BaseModel):
    """A whole report: what was asked, the definitions, the rule and the rows."""

    period: str
    grouping: str
    date_from: date
    date_to: date
    periods: list[str]
    groups: list[str]
    sharp_rule: SharpRuleOut
    definitions: list[KpiDefinitionOut]
    rows: list[KpiRowOut]


def sharp_change_rule(settings: Settings) -> SharpChangeRule:
    """The sharp-change thresholds from the HUIFANG_KPI_* settings."""
    return SharpChangeRule(
        percent_points=settings.kpi_sharp_points,
        working_days=settings.kpi_sharp_days,
        min_denominator=settings.kpi_min_denominator,
    )


def kpi_targets(settings: Settings) -> KpiTargets:
    """The targets of HUIFANG_KPI_TARGETS, by key; unknown keys are refused with their name."""
    known = {key.value: key for key in KpiKey}
    unknown = sorted(set(settings.kpi_targets) - set(known))
    if unknown:
        raise ValueError(f"HUIFANG_KPI_TARGETS names no KPI: {', '.join(unknown)}")
    return {known[name]: value for name, value in settings.kpi_targets.items()}


def definition_out(
    definition: KpiDefinition, targets: KpiTargets | None = None
) -> KpiDefinitionOut:
    """A definition for the API, with its target where one is set."""
    return KpiDefinitionOut(
        key=definition.key, name=definition.name, unit=definition.unit,
        unit_label=UNIT_LABELS[definition.unit], numerator=definition.numerator,
        denominator=definition.denominator, counts=definition.counts,
        bucketed_by=definition.bucketed_by, higher_is_better=definition.higher_is_better,
        target=(targets or {}).get(definition.key),
    )  # fmt: skip


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def figure_out(figure: Figure) -> FigureOut:
    """A figure for the API, value and change to two decimals."""
    return FigureOut(
        key=figure.key, value=_rounded(figure.value), numerator=figure.numerator,
        denominator=figure.denominator, previous=_rounded(figure.previous),
        change=_rounded(figure.change), sharp=figure.sharp, target=figure.target,
        below_target=figure.below_target,
    )  # fmt: skip


def report_out(report: KpiReport) -> KpiReportOut:
    """The whole report for the API and `huifang kpis --json`."""
    request, rule = report.request, report.rule
    return KpiReportOut(
        period=request.period.value, grouping=request.grouping.value,
        date_from=report.buckets[0].start, date_to=report.buckets[-1].end,
        periods=[bucket.label for bucket in report.buckets], groups=report.groups,
        sharp_rule=SharpRuleOut(percent_points=rule.percent_points,
                                working_days=rule.working_days,
                                min_denominator=rule.min_denominator),
        definitions=[definition_out(d, report.targets) for d in report.definitions],
        rows=[
            KpiRowOut(period=row.bucket.label, start=row.bucket.start, end=row.bucket.end,
                      group=row.group, figures=[figure_out(f) for f in row.figures.values()])
            for row in report.rows
        ],
    )  # fmt: skip


def kpi_table(report: KpiReportOut) -> Table:
    """One line per period, group and figure, for the CSV/XLSX export."""
    rows: list[list[Cell]] = []
    for row in report.rows:
        for figure in row.figures:
            definition = BY_KEY[figure.key]
            rows.append([
                row.period, row.start, row.end, row.group, definition.name, figure.value,
                UNIT_LABELS[definition.unit], figure.numerator, figure.denominator,
                figure.previous, figure.change, "是" if figure.sharp else "", figure.target,
                "是" if figure.below_target else "",
            ])  # fmt: skip
    return Table("回访指标", TABLE_HEADERS, rows)
