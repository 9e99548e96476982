"""`huifang qa sample [--date D] [--rate R] [--seed N]`: draw the day's random QA sample of
answered calls no rule flagged into the review queue (run daily); one JSON line per call."""

from __future__ import annotations

import argparse
import json
import random
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from huifang.commands.common import EXIT_BAD_INPUT, Subparsers, report_error
from huifang.commands.database_option import EXIT_DATABASE, add_db_option, open_db
from huifang.settings import get_settings
from storage.problem_cases import ReviewError
from storage.qa_sampling import sample_day


def register(sub: Subparsers) -> None:
    """Add the `qa` sub-command."""
    parser = sub.add_parser("qa", help="random QA sampling of unflagged calls (质检抽检)")
    actions = parser.add_subparsers(dest="qa_action", required=True, metavar="ACTION")
    draw = actions.add_parser("sample", help="draw a day's sample into the review queue")
    draw.add_argument("--date", type=date.fromisoformat, default=None,
                      help="the local day whose calls are drawn (default: yesterday)")
    draw.add_argument("--rate", type=float, default=None,
                      help="share of the day's unflagged calls (default HUIFANG_QA_SAMPLE_RATE)")
    draw.add_argument("--seed", type=int, default=None, help="fix the draw (repeatable)")
    add_db_option(draw)
    draw.set_defaults(run=run_sample)


def run_sample(args: argparse.Namespace) -> int:
    """Draw the sample; exit 2 on a rate outside (0, 1]."""
    settings = get_settings()
    zone = ZoneInfo(settings.review_timezone)
    day = args.date or datetime.now(UTC).astimezone(zone).date() - timedelta(days=1)
    db = open_db(args)
    if db is None:
        return EXIT_DATABASE
    try:
        with db.session() as session:
            drawn = sample_day(session, day, args.rate or settings.qa_sample_rate,
                               random.Random(args.seed), zone)  # fmt: skip
            lines = [{"sample": s.id, "call_id": s.call_id, "day": day.isoformat()}
                     for s in drawn]  # fmt: skip
    except ReviewError as err:
        report_error("--rate", str(err))
        return EXIT_BAD_INPUT
    finally:
        db.close()
    for line in lines:
        print(json.dumps(line))
    return 0
