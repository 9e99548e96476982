"""The periodic written report of the special-attention list (特别关注名单报告): every entry
with its ground, severity, measures and whole history, as a table (XLSX/CSV) or a PDF signed
by the person who reports it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from huifang.documents.pdf import DEFAULT_FONT, Section, render_pdf
from huifang.documents.table import Cell, Table
from storage.attention_kinds import (
    GROUND_LABELS,
    MEASURE_LABELS,
    SEVERITY_LABELS,
    STATUS_LABELS,
    AttentionMeasure,
)
from storage.attention_match import subject_label
from storage.attention_models import AttentionEntry

HEADERS = (
    "编号", "对象", "列入依据", "严重程度", "措施", "专人回访坐席", "限制险种", "当前状态",
    "变更", "生效日期", "理由", "撤销依据", "操作人", "记录时间",
)  # fmt: skip
_BASIS = {"verification": "核查无违规", "clean_period": "监测期满无违规"}


def report_table(entries: list[AttentionEntry]) -> Table:
    """One line per step of each entry's history."""
    rows: list[list[Cell]] = []
    for entry in entries:
        for change in entry.changes:
            step = STATUS_LABELS[change.to_status]
            if change.from_status is not None:
                step = f"{STATUS_LABELS[change.from_status]}→{step}"
            rows.append([
                entry.id, subject_label(entry), _ground(entry), _severity(entry),
                _measures(entry), _agent(entry), entry.restricted_products,
                STATUS_LABELS[entry.status], step, change.effective_on, change.reason,
                _BASIS.get(change.basis or "", ""), change.changed_by, change.changed_at,
            ])  # fmt: skip
    return Table("特别关注名单", HEADERS, rows)


def report_pdf(entries: list[AttentionEntry], *, reported_by: str, on: date,
               font: Path = DEFAULT_FONT) -> bytes:  # fmt: skip
    """The written report: one section per entry, its history line by line."""
    sections = [Section("", [f"报告日期：{on.isoformat()}    报告人：{reported_by}",
                             f"名单条目 {len(entries)} 个，其中在册 "
                             f"{sum(e.revoked_on is None for e in entries)} 个"])]
    for entry in entries:
        lines = [
            f"当前状态：{STATUS_LABELS[entry.status]}    列入依据：{_ground(entry)}    "
            f"严重程度：{_severity(entry)}",
            f"措施：{_measures(entry) or '—'}" + (f"    专人回访：{_agent(entry)}"
                                              if entry.dedicated_agent_id else "")
            + (f"    限制险种：{entry.restricted_products}" if entry.restricted_products else ""),
            "变更记录：",
        ]  # fmt: skip
        for change in entry.changes:
            basis = _BASIS.get(change.basis or "", "")
            lines.append(
                f"  {change.effective_on.isoformat()} {STATUS_LABELS[change.to_status]}"
                f"（{change.changed_by}）：{change.reason}" + (f"［{basis}］" if basis else ""))
        sections.append(Section(f"#{entry.id} {subject_label(entry)}", lines))
    return render_pdf("特别关注名单报告", sections, font=font,
                      footer="本报告列出名单上每个条目的依据、措施与完整变更记录。")


def _ground(entry: AttentionEntry) -> str:
    return GROUND_LABELS[entry.ground] if entry.ground else "（旧记录，未分类）"


def _severity(entry: AttentionEntry) -> str:
    return SEVERITY_LABELS[entry.severity] if entry.severity else "—"


def _measures(entry: AttentionEntry) -> str:
    return "、".join(MEASURE_LABELS[AttentionMeasure(m)] for m in entry.measures.split(",") if m)


def _agent(entry: AttentionEntry) -> str:
    return entry.dedicated_agent.username if entry.dedicated_agent else ""
