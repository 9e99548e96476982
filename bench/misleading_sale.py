"""Benchmark: precision/recall of the misleading-sale rules per category, and analysis latency."""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from agent_assist.evaluation import LabelledUtterance, Scores, load_labelled, score
from agent_assist.events import Utterance
from agent_assist.flag_model import DEFAULT_MODEL_FILE, FlagModel
from agent_assist.misleading_sale import MisleadingSaleDetector
from agent_assist.rule_set import RuleSet

EVAL_FILES = [
    Path(__file__).parent / "data" / "misleading_sale_eval.tsv",
    Path(__file__).parent / "data" / "misleading_sale_eval_asr.tsv",
]


def _print_scores(scores: Scores, show_errors: bool) -> None:
    print(f"{'category':<10} {'tp':>4} {'fp':>4} {'fn':>4} {'precision':>9} {'recall':>7}")
    rows = [(c.value, t) for c, t in scores.by_category.items()] + [("overall", scores.overall)]
    for name, t in rows:
        print(f"{name:<10} {t.tp:>4} {t.fp:>4} {t.fn:>4} {t.precision:>9.3f} {t.recall:>7.3f}")
    if show_errors:
        for item, predicted in scores.errors:
            want = "|".join(sorted(item.expected)) or "-"
            got = "|".join(sorted(predicted)) or "-"
            print(f"  want {want:<8} got {got:<8} [{item.leg}] {item.text}")


def _print_set(
    name: str,
    labelled: list[LabelledUtterance],
    detector: MisleadingSaleDetector,
    show_errors: bool,
) -> None:
    positives = sum(1 for item in labelled if item.expected)
    print(
        f"\n{name}: {len(labelled)} utterances, {positives} positive, "
        f"{len(labelled) - positives} negative"
    )
    _print_scores(score(detector, labelled), show_errors)


def _latency_ms(detector: MisleadingSaleDetector, labelled: list[LabelledUtterance]) -> list[float]:
    timings = []
    for item in labelled:
        utterance = Utterance(leg=item.leg, text=item.text)
        began = time.perf_counter()
        detector.analyse(utterance)
        timings.append((time.perf_counter() - began) * 1000)
    return timings


def main() -> int:
    """Print the figures for BENCHMARKS.md."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--eval", type=Path, nargs="*", default=EVAL_FILES, help="labelled TSVs")
    parser.add_argument("--errors", action="store_true", help="list the misclassified lines")
    parser.add_argument("--model", nargs="?", type=Path, const=DEFAULT_MODEL_FILE,
                        help="add the learned flagger (default file when no path is given)")
    args = parser.parse_args()
    loaded = time.perf_counter()
    model = FlagModel.load(args.model) if args.model else None
    detector = MisleadingSaleDetector(RuleSet.load(), model=model)
    what = "rules and model" if model else "rules"
    print(f"{what} loaded in {(time.perf_counter() - loaded) * 1000:.0f} ms")
    labelled: list[LabelledUtterance] = []
    for path in args.eval:
        part = load_labelled(path)
        labelled.extend(part)
        _print_set(path.name, part, detector, args.errors)
    if len(args.eval) > 1:
        _print_set("all sets", labelled, detector, show_errors=False)
    timings = _latency_ms(detector, labelled * 5)
    quantiles = statistics.quantiles(timings, n=100)
    print(
        f"per-utterance analysis: p50 {quantiles[49]:.2f} ms, p95 {quantiles[94]:.2f} ms, "
        f"max {max(timings):.2f} ms over {len(timings)} runs"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
