"""`huifang attention propose` (the daily job: proposals from the evidence, for a person to
confirm in the console) and `huifang attention report` (the periodic written report of the
list with each entry's history, XLSX or PDF)."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime
from pathlib import Path

from huifang.commands.common import EXIT_BAD_INPUT, Subparsers, report_error
from huifang.commands.database_option import EXIT_DATABASE, add_db_option, open_db
from huifang.documents.attention_report import report_pdf, report_table
from huifang.documents.pdf import DocumentError
from huifang.settings import deadline_rules, get_settings
from huifang.web.attention_control_routes import proposal_rules
from huifang.web.kpi_views import kpi_targets
from huifang.web.table_export import table_xlsx
from storage.attention import entries
from storage.attention_proposals import propose
from storage.working_days import CalendarFileError
from zhtext.private_files import write_private


def add_control_actions(actions: Subparsers) -> None:
    """Add `propose` and `report` to the `attention` sub-command."""
    proposer = actions.add_parser("propose", help="proposals from the evidence (one JSON line "
                                                  "each), for a supervisor to accept or dismiss")
    add_db_option(proposer)
    proposer.set_defaults(run=run_propose)
    report = actions.add_parser("report", help="the list with each entry's history, XLSX or PDF")
    report.add_argument("--out", type=Path, required=True, help="the file to write")
    report.add_argument("--format", choices=("xlsx", "pdf"), default=None,
                        help="default: from the file's suffix")
    report.add_argument("--by", required=True, help="who reports the list (named in the PDF)")
    add_db_option(report)
    report.set_defaults(run=run_report)


def run_propose(args: argparse.Namespace) -> int:
    """Make today's proposals; exit 2 on an unreadable calendar or bad targets."""
    settings = get_settings()
    try:
        rules, targets = deadline_rules(settings), kpi_targets(settings)
    except (CalendarFileError, ValueError) as err:
        report_error("settings", str(err))
        return EXIT_BAD_INPUT
    db = open_db(args)
    if db is None:
        return EXIT_DATABASE
    try:
        with db.session() as session:
            lines = [{"id": p.id, "subject": p.subject_kind.value, "name": p.subject_name,
                      "ground": p.ground.value, "evidence": p.evidence}
                     for p in propose(session, proposal_rules(settings), rules, targets)]
    finally:
        db.close()
    for line in lines:
        print(json.dumps(line, ensure_ascii=False))
    return 0


def run_report(args: argparse.Namespace) -> int:
    """Write the report; exit 2 when the format is unknown or the font unusable."""
    kind = args.format or args.out.suffix.lstrip(".").lower()
    if kind not in ("xlsx", "pdf"):
        report_error("--out", f"{args.out}: say --format xlsx or pdf")
        return EXIT_BAD_INPUT
    db = open_db(args)
    if db is None:
        return EXIT_DATABASE
    try:
        with db.session() as session:
            found = entries(session)
            for entry in found:
                _ = entry.dedicated_agent  # loaded while the session is open
            if kind == "xlsx":
                body = table_xlsx(report_table(found))
            else:
                body = report_pdf(found, reported_by=args.by, on=datetime.now(UTC).date(),
                                  font=Path(get_settings().pdf_font))  # fmt: skip
    except DocumentError as err:
        report_error("pdf", str(err))
        return EXIT_BAD_INPUT
    finally:
        db.close()
    try:
        write_private(args.out, body)
    except OSError as err:
        report_error(str(args.out), f"cannot write: {err.strerror}")
        return EXIT_BAD_INPUT
    print(f"{args.out}: {len(found)} entries")
    return 0
