"""`huifang classify-answer --text-file FILE`: what each answer line means, as JSON lines."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from huifang.commands.common import EXIT_BAD_INPUT, Subparsers, report_error
from huifang.settings import get_settings
from scripts_zh.answer_hearing import hear_answer
from scripts_zh.answer_model import AnswerModel, AnswerModelError


def register(sub: Subparsers) -> None:
    """Add the `classify-answer` sub-command."""
    parser = sub.add_parser(
        "classify-answer", help="classify short callback answers (affirmative, negative …)"
    )
    parser.add_argument(
        "--text-file", required=True, type=Path, help="UTF-8 text, one recognised answer a line"
    )
    parser.add_argument(
        "--question", default="", help="the question the answers reply to: a clause that"
        " repeats it (晓得，交十年嘛) is read as part of the answer, not as words nobody read"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Print {"text", "class"} for every line of the file (the rules, then the learned guess
    at what they leave as other when HUIFANG_CALLBACK_LEARNED_ANSWERS is on); an unreadable
    file exits 2."""
    path: Path = args.text_file
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as err:
        report_error(str(path), _why(err))
        return EXIT_BAD_INPUT
    try:
        model = AnswerModel.load() if get_settings().callback_learned_answers else None
    except AnswerModelError as err:
        report_error("learned answers", str(err))
        return EXIT_BAD_INPUT
    try:
        for line in lines:
            record = {"text": line, "class": hear_answer(line, None, model, args.question).value}
            print(json.dumps(record, ensure_ascii=False), flush=True)
    except BrokenPipeError:  # the reader (head, a closed pipe) has had enough: not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


def _why(err: OSError | UnicodeDecodeError) -> str:
    """The reason without the path, which report_error already names."""
    if isinstance(err, UnicodeDecodeError):
        return "not UTF-8 text"
    return err.strerror or type(err).__name__
