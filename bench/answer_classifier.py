"""Benchmark the answer classifier on the labelled utterances: precision/recall, false yeses."""

from __future__ import annotations

import argparse
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


def _print_scores(name: str, scores: AnswerScores) -> None:
    print(f"\n{name}: {scores.total} utterances")
    print(f"{'class':<24}{'support':>8}{'precision':>11}{'recall':>8}")
    for cls in AnswerClass:
        per = scores.per_class[cls]
        print(f"{cls.value:<24}{per.support:>8}{per.precision:>11.3f}{per.recall:>8.3f}")
    print(f"accuracy {scores.accuracy:.3f}   false confirmations {len(scores.false_confirmations)}")


def _print_errors(answers: list[LabelledAnswer], predicted: list[AnswerClass]) -> None:
    for answer, guess in zip(answers, predicted, strict=True):
        if guess != answer.label:
            print(f"  {answer.text}\texpected {answer.label}\tgot {guess}\t[{answer.tag}]")


def main(argv: list[str] | None = None) -> int:
    """Score every given TSV (default: the dev and held-out sets) and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("tsv", nargs="*", type=Path, default=list(DEFAULT_SETS))
    parser.add_argument("--errors", action="store_true", help="list every misclassified line")
    args = parser.parse_args(argv)
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
        if args.errors:
            _print_errors(answers, predicted)
    if len(args.tsv) > 1:
        _print_scores("all sets", score_answers(all_expected, all_predicted))
    return 0


if __name__ == "__main__":
    sys.exit(main())
