"""`huifang analyze`: misleading-sale flags for text lines; voice cues for a call recording."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from agent_assist.events import Flag, Leg, Utterance
from agent_assist.flag_model import FlagModel, FlagModelError
from agent_assist.misleading_sale import MisleadingSaleDetector
from agent_assist.rule_loader import RuleFileError
from agent_assist.rule_set import RuleSet
from agent_assist.voice_cues import PolicyholderRecord
from huifang.commands.common import EXIT_BAD_INPUT, Subparsers, report_error
from huifang.commands.database_option import add_db_option
from huifang.settings import get_settings


def register(sub: Subparsers) -> None:
    """Add the `analyze` sub-command."""
    parser = sub.add_parser("analyze", help="flag misleading-sale statements (销售误导)")
    # One source per run: text lines, or a recording (voice cues need --policy-json with it).
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "--text", type=Path, metavar="FILE", help="UTF-8 text, one utterance a line"
    )
    source.add_argument(
        "recording", type=Path, nargs="?",
        help="call recording (stereo: agent, customer), or a folder of them to analyse and store",
    )
    parser.add_argument(
        "--policy-json", type=Path, metavar="FILE",
        help="the policy record (holder gender, birth date, salesperson…) for a recording",
    )
    parser.add_argument(
        "--policy", metavar="NO",
        help="folder: the stored policy of every recording without a sidecar <name>.json",
    )
    parser.add_argument(
        "--no-transcribe", action="store_true",
        help="voice cues only, no speech recognition (a folder keeps its stored speech flags)",
    )
    add_db_option(parser)
    parser.add_argument(
        "--leg",
        choices=[leg.value for leg in Leg],
        default=Leg.CUSTOMER.value,
        help="who spoke the lines (default: customer)",
    )
    parser.set_defaults(run=run)


def _flag_json(flag: Flag) -> dict[str, object]:
    return {
        "rule": flag.rule_id,
        "category": flag.category.value,
        "severity": flag.severity.value,
        "span": list(flag.span),
    }


def analyze_text(path: Path, leg: Leg) -> int:
    """Print one JSON object per line of the file; exit status 2 if it cannot be read."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as err:
        report_error(str(path), f"cannot read: {getattr(err, 'strerror', None) or err}")
        return EXIT_BAD_INPUT
    try:
        model = FlagModel.load() if get_settings().learned_flags else None
        detector = MisleadingSaleDetector(RuleSet.load(), model=model)
    except RuleFileError as err:
        report_error(str(err.path), f"line {err.line}: {err.problem}")
        return EXIT_BAD_INPUT
    except FlagModelError as err:
        report_error("learned flags", str(err))
        return EXIT_BAD_INPUT
    for line in lines:
        flags = detector.analyse(Utterance(leg=leg, text=line))
        record = {"text": line, "flags": [_flag_json(flag) for flag in flags]}
        print(json.dumps(record, ensure_ascii=False), flush=True)
    return 0


def _stored_policyholder(args: argparse.Namespace) -> PolicyholderRecord | None:
    """The record of --policy NO from the database; None after reporting why not."""
    from huifang.commands.database_option import open_db
    from storage.policy_view import policyholder_from_policy
    from storage.repository import Repository

    db = open_db(args)
    if db is None:
        return None
    try:
        with db.session() as session:
            policy = Repository(session).policy(args.policy)
            if policy is None:
                report_error(f"--policy {args.policy}", "not in the database")
                return None
            return policyholder_from_policy(policy)
    finally:
        db.close()


def run(args: argparse.Namespace) -> int:
    """Dispatch on the kind of input given."""
    if args.recording is not None and args.recording.is_dir():
        # Imported here: the voice and speech stacks are not needed for text.
        from huifang.commands.analyze_folder import analyze_folder

        return analyze_folder(args.recording, args)
    if args.recording is not None:
        from huifang.commands.analyze_voice import analyze_recording

        stored = None
        if args.policy is not None and args.policy_json is None:
            stored = _stored_policyholder(args)
            if stored is None:
                return EXIT_BAD_INPUT
        return analyze_recording(args.recording, args.policy_json, stored,
                                 transcribe=not args.no_transcribe)
    return analyze_text(args.text, Leg(args.leg))
