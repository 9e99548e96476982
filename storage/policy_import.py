"""Importing policies from a file: validate each row, keep bad ones out, upsert the good ones —
streamed in batches inside one transaction, so memory stays flat whatever the file's size, and
every change to a stored policy recorded (storage.policy_changes)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from pydantic import ValidationError
from pydantic_core import ErrorDetails
from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.attention_flags import flag_policies
from storage.audit import SYSTEM, Actor, record_change
from storage.database import Database
from storage.dedicated_callbacks import route_policies
from storage.models import Policy, cooling_off_deadline
from storage.policy_changes import apply_changes
from storage.policy_file import PolicyTable, SourceRow, read_policy_file
from storage.policy_row import PolicyRow, date_order_problems
from storage.restricted_products import flag_restricted_sales

# Rows validated, looked up and written per batch (and policy numbers per IN query): far below
# SQLite's and PostgreSQL's parameter limits; the session is emptied after each batch.
_LOOKUP_BATCH = 500


@dataclass(frozen=True)
class RowProblem:
    """Why one row (or the header, line 1) was kept out."""

    line: int
    column: str  # the header as written in the file, or "" for the whole row
    problem: str

    def describe(self) -> str:
        """`column 联系电话: …` (the caller adds the file and line)."""
        return f"column {self.column}: {self.problem}" if self.column else self.problem


def describe_row(problems: list[RowProblem]) -> str:
    """One line for a bad row: `line 7: column 联系电话: …; column 出生日期: …`."""
    return f"line {problems[0].line}: " + "; ".join(problem.describe() for problem in problems)


@dataclass
class ImportReport:
    """What an import did: counts per fate, and each bad row's problems."""

    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    flagged: int = 0  # special-attention flags raised (the seller was listed on the sign date)
    assigned: int = 0  # policies given to a dedicated agent (专人回访) instead of the robot
    problems: list[list[RowProblem]] = field(default_factory=list)  # one list per bad row
    policy_nos: list[str] = field(default_factory=list)  # the good rows' numbers, file order


def import_policy_file(
    db: Database, path: Path, now: datetime | None = None, *, source: str | None = None,
    actor: Actor = SYSTEM,
) -> ImportReport:  # fmt: skip
    """Validate `path` row by row and upsert its good rows on policy number, in one transaction.

    `source` names where the changes came from in the phone changes and the audit trail
    (default: the file's name); `actor` is who imported it."""
    table = read_policy_file(path)
    report = ImportReport()
    label = source or f"导入 {path.name}"
    now = now or datetime.now(UTC)
    with db.session() as session:
        for batch in _batches(_validated_rows(table, report)):
            stored = _upsert(session, batch, now, report, label, actor)
            report.flagged += flag_policies(session, stored, now)
            report.assigned += route_policies(session, stored, now)
            report.flagged += flag_restricted_sales(session, stored, now)
            session.flush()
            session.expunge_all()  # written: the identity map need not hold them any more
        summary = {"source": label, "imported": report.imported, "updated": report.updated,
                   "unchanged": report.unchanged, "rejected": report.rejected}  # fmt: skip
        record_change(session, actor, "policies.import", "import", 0, None, summary, at=now)
    return report


def _validated_rows(table: PolicyTable, report: ImportReport) -> Iterator[PolicyRow]:
    """The rows that pass, as they are read; every other row counted as rejected with its
    problems; the good rows' numbers kept in the report, in file order."""
    if table.missing_columns:
        columns = ", ".join(table.missing_columns)
        problem = [RowProblem(1, "", f"the header lacks column(s) {columns}: no row imported")]
        report.problems.append(problem)
        report.rejected = sum(1 for _ in table.rows)
        return
    first_line: dict[str, int] = {}
    for row in table.rows:
        policy, problems = _validate(row, table.headers)
        if policy is not None and policy.policy_no in first_line:
            seen = first_line[policy.policy_no]
            header = table.headers["policy_no"]
            problems = [RowProblem(row.line, header, f"duplicate of line {seen} in this file")]
        if problems:
            report.rejected += 1
            report.problems.append(problems)
        elif policy is not None:
            first_line[policy.policy_no] = row.line
            report.policy_nos.append(policy.policy_no)
            yield policy


def _batches(rows: Iterable[PolicyRow]) -> Iterator[list[PolicyRow]]:
    batch: list[PolicyRow] = []
    for row in rows:
        batch.append(row)
        if len(batch) == _LOOKUP_BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _validate(row: SourceRow, headers: dict[str, str]) -> tuple[PolicyRow | None, list[RowProblem]]:
    """The row as a PolicyRow, or the problems that stop it, each naming its column."""
    if row.extra_cells:
        return None, [RowProblem(row.line, "", f"{row.extra_cells} cell(s) beyond the header")]
    if row.missing:
        columns = ", ".join(headers[c] for c in row.missing)
        return None, [RowProblem(row.line, columns, "missing (the row ends early)")]
    try:
        policy = PolicyRow.model_validate(row.cells)
    except ValidationError as err:
        return None, [_problem(row.line, error, headers) for error in err.errors()]
    disorder = [
        RowProblem(row.line, headers[column], problem.format(**headers))
        for column, problem in date_order_problems(policy)
    ]
    return (None, disorder) if disorder else (policy, [])


def _problem(line: int, error: ErrorDetails, headers: dict[str, str]) -> RowProblem:
    """One pydantic error as a RowProblem in the file's own column names."""
    loc = error["loc"]
    column = headers.get(str(loc[0]), str(loc[0])) if loc else ""
    if error["type"] == "missing":
        return RowProblem(line, column, "missing value")
    return RowProblem(line, column, error["msg"].removeprefix("Value error, "))


def _upsert(
    session: Session, rows: list[PolicyRow], now: datetime, report: ImportReport, source: str,
    actor: Actor,
) -> list[Policy]:  # fmt: skip
    """Insert new policy numbers, update changed ones (each change recorded), count the rest
    as unchanged; the batch's stored policies."""
    existing = _existing(session, [row.policy_no for row in rows])
    stored = []
    for row in rows:
        values = _columns(row)
        policy = existing.get(row.policy_no)
        if policy is None:
            policy = Policy(**values, imported_at=now, updated_at=now)
            session.add(policy)
            report.imported += 1
        elif apply_changes(session, policy, values, source=source, actor=actor, now=now):
            report.updated += 1
        else:
            report.unchanged += 1
        stored.append(policy)
    return stored


def _existing(session: Session, numbers: Iterable[str]) -> dict[str, Policy]:
    """The stored policies among these numbers, by number."""
    wanted = list(numbers)
    found: dict[str, Policy] = {}
    for start in range(0, len(wanted), _LOOKUP_BATCH):
        batch = wanted[start : start + _LOOKUP_BATCH]
        for policy in session.scalars(select(Policy).where(Policy.policy_no.in_(batch))):
            found[policy.policy_no] = policy
    return found


def _columns(row: PolicyRow) -> dict[str, object]:
    """The Policy column values a row sets, the 犹豫期 deadline derived."""
    return {
        "policy_no": row.policy_no,
        "family": row.product_family,
        "product_name": row.product_name,
        "holder_name": row.holder_name,
        "holder_gender": row.holder_gender,
        "holder_birth_date": row.holder_birth_date,
        "holder_id_last4": row.holder_id_last4,
        "phone": row.phone,
        "insured_name": row.insured_name or row.holder_name,
        "premium_yuan": row.premium_yuan,
        "payment_years": row.payment_years,
        "payment_frequency": row.payment_frequency,
        "coverage_term": row.coverage_term[0],
        "coverage_months": row.coverage_term[1],
        "sign_date": row.sign_date,
        "receipt_date": row.receipt_date,
        "cooling_off_days": row.cooling_off_days,
        "cooling_off_deadline": cooling_off_deadline(row.receipt_date, row.cooling_off_days),
        "salesperson": row.salesperson,
        "team": row.team,
        "outlet": row.outlet,
        "branch": row.branch,
    }
