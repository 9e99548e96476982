"""`huifang kpis [--period day|week|month] [--by GROUP] [--from D --to D] [--json]`: the
callback KPIs per period and group, each with numerator and denominator, the change from the
period before (▲▼ where sharp), and the definitions — the figures the web page shows."""

from __future__ import annotations

import argparse
import unicodedata
from datetime import UTC, date, datetime

from huifang.commands.common import EXIT_BAD_INPUT, Subparsers, report_error
from huifang.commands.database_option import EXIT_DATABASE, add_db_option, open_db
from huifang.settings import deadline_rules, get_settings
from huifang.web.kpi_routes import kpi_request
from huifang.web.kpi_views import (
    UNIT_LABELS,
    KpiReportOut,
    kpi_targets,
    report_out,
    sharp_change_rule,
)
from storage.kpi_definitions import BY_KEY, KpiUnit
from storage.kpi_periods import Period, PeriodRangeError
from storage.kpis import Grouping, kpi_report
from storage.working_days import CalendarFileError


def register(sub: Subparsers) -> None:
    """Add the `kpis` sub-command."""
    parser = sub.add_parser("kpis", help="callback KPIs per day/week/month and group")
    parser.add_argument("--period", choices=[p.value for p in Period], default="week",
                        help="length of one bucket (default: week)")
    parser.add_argument("--by", choices=[g.value for g in Grouping], default="overall",
                        help="break the figures down by this (default: overall)")
    parser.add_argument("--from", dest="date_from", type=date.fromisoformat, default=None,
                        help="first day, YYYY-MM-DD (default: eight periods back)")
    parser.add_argument("--to", dest="date_to", type=date.fromisoformat, default=None,
                        help="last day, YYYY-MM-DD (default: today)")
    parser.add_argument("--json", action="store_true",
                        help="print the report (definitions included) as one JSON document")
    add_db_option(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Print the report; exit 2 on a reversed or too long range or an unreadable calendar."""
    settings = get_settings()
    try:
        rules = deadline_rules(settings)
        targets = kpi_targets(settings)
    except CalendarFileError as err:
        report_error("holiday calendar", str(err))
        return EXIT_BAD_INPUT
    except ValueError as err:
        report_error("HUIFANG_KPI_TARGETS", str(err))
        return EXIT_BAD_INPUT
    today = rules.local_date(datetime.now(UTC))
    db = open_db(args)
    if db is None:
        return EXIT_DATABASE
    try:
        request = kpi_request(Period(args.period), Grouping(args.by), args.date_from,
                              args.date_to, today)  # fmt: skip
        with db.session() as session:
            report = report_out(kpi_report(session, request, rules, sharp_change_rule(settings),
                                           targets))  # fmt: skip
    except PeriodRangeError as err:
        report_error("--from/--to", str(err))
        return EXIT_BAD_INPUT
    finally:
        db.close()
    if args.json:
        print(report.model_dump_json(indent=2))
    else:
        _print_text(report)
    return 0


_PERIOD_NAMES = {"day": "日", "week": "周", "month": "月"}


def _value(value: float | None, unit: KpiUnit) -> str:
    if value is None:
        return "—"
    return f"{value:.1f}%" if unit is KpiUnit.PERCENT else f"{value:.1f} 工作日"


def _pad(text: str, width: int) -> str:
    """Text padded to a terminal width, counting a Chinese character as two columns."""
    used = sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)
    return text + " " * max(0, width - used)


def _print_text(report: KpiReportOut) -> None:
    period = _PERIOD_NAMES[report.period]
    print(f"回访指标 {report.date_from} 至 {report.date_to}，按{period}，分组 {report.grouping}")
    rule = report.sharp_rule
    print(f"▲▼ 突变：变化达 {rule.percent_points} 个百分点 / {rule.working_days} 个工作日，"
          f"且两期分母均不少于 {rule.min_denominator}")  # fmt: skip
    for row in report.rows:
        print(f"\n{row.period}（{row.start} 至 {row.end}） {row.group}")
        for figure in row.figures:
            definition = BY_KEY[figure.key]
            change = "" if figure.change is None else f"  比上期 {figure.change:+.1f}"
            mark = (" ▲" if (figure.change or 0) > 0 else " ▼") if figure.sharp else ""
            mark += f"  不达标（目标 {figure.target:g}）" if figure.below_target else ""
            counts = f"{figure.numerator:g}/{figure.denominator}"
            print(f"  {_pad(definition.name, 24)}{_value(figure.value, definition.unit):>12}  "
                  f"{counts:>9}{change}{mark}")  # fmt: skip
    print("\n定义：")
    for item in report.definitions:
        print(f"  {item.name}（{UNIT_LABELS[item.unit]}）：分子 {item.numerator}；"
              f"分母 {item.denominator}；口径 {item.counts}；分期 {item.bucketed_by}")
