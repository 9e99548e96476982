"""Write ASR-like variants of the evaluation set: one character swapped for a homophone."""

from __future__ import annotations

import argparse
import csv
import random
import sys
from functools import lru_cache
from pathlib import Path

from pypinyin.pinyin_dict import pinyin_dict

from agent_assist.evaluation import load_labelled
from zhtext import toneless_pinyin

DATA = Path(__file__).parent / "data"
# Function words whose swap would change the meaning, not just the spelling (不 → 布 loses a
# negation): an ASR error there changes the label, so these are not swapped.
_KEEP = set("不没无未别非是我你他她的了吗呢吧说讲这那")


def _is_common(ch: str) -> bool:
    """GB2312 level-1 characters: the ones a recogniser's vocabulary really produces."""
    try:
        code = ch.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return len(code) == 2 and 0xB0A1 <= int.from_bytes(code, "big") <= 0xD7F9


@lru_cache(maxsize=1)
def _homophones() -> dict[str, list[str]]:
    by_sound: dict[str, list[str]] = {}
    for code in sorted(pinyin_dict):
        ch = chr(code)
        if _is_common(ch):
            by_sound.setdefault(toneless_pinyin(ch)[0], []).append(ch)
    return by_sound


def variant(text: str, rng: random.Random) -> str | None:
    """The text with one content character replaced by a different common homophone."""
    sounds = toneless_pinyin(text)
    positions = [i for i, ch in enumerate(text) if _is_common(ch) and ch not in _KEEP]
    rng.shuffle(positions)
    for index in positions:
        choices = [c for c in _homophones().get(sounds[index], []) if c != text[index]]
        if choices:
            return text[:index] + rng.choice(choices) + text[index + 1 :]
    return None


def main() -> int:
    """Write bench/data/misleading_sale_eval_asr.tsv from the hand-written set."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument("--every", type=int, default=4, help="take every n-th line")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    source = load_labelled(DATA / "misleading_sale_eval.tsv")
    with (DATA / "misleading_sale_eval_asr.tsv").open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_NONE)
        writer.writerow(["text", "leg", "expected_category", "expected_rule"])
        for item in source[:: args.every]:
            text = variant(item.text, rng)
            if text is not None:
                expected = "|".join(sorted(item.expected))
                writer.writerow([text, item.leg.value, expected, item.rule_id])
    return 0


if __name__ == "__main__":
    sys.exit(main())
