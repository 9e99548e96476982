"""Duplicate voices (同一声音多次应答): one voice answering for different policyholders."""

from __future__ import annotations

from dataclasses import dataclass

from agent_assist.events import CueKind, Leg, Severity, VoiceCue
from agent_assist.voice_cues import PolicyholderRecord
from agent_assist.voiceprint import SAME_VOICE_THRESHOLD, Voiceprint
from agent_assist.voiceprint_index import VoiceprintEntry, VoiceprintSearch

# A shared salesperson is the strongest sign of 替代回访 (the seller answering), then the team or
# outlet, then the region (branch); weights only order the matches, similarity breaks ties.
SHARED_LINK_WEIGHTS = {"salesperson": 8, "team": 4, "outlet": 2, "branch": 1}
_LINK_ZH = {
    "salesperson": "同一业务员", "team": "同一团队", "outlet": "同一网点", "branch": "同一地区",
}


@dataclass(frozen=True, slots=True)
class DuplicateVoice:
    """A stored voiceprint of another policyholder that sounds like this leg's voice."""

    entry: VoiceprintEntry
    score: float
    shared: tuple[str, ...]

    @property
    def link_weight(self) -> int:
        """How closely the two policies' sales chains are linked."""
        return sum(SHARED_LINK_WEIGHTS[link] for link in self.shared)


def shared_links(record: PolicyholderRecord, entry: VoiceprintEntry) -> tuple[str, ...]:
    """Which of salesperson, team, outlet, branch the two policies have in common."""
    return tuple(
        link
        for link in SHARED_LINK_WEIGHTS
        if getattr(record, link) and getattr(record, link) == getattr(entry, link)
    )


def find_duplicate_voices(
    index: VoiceprintSearch,
    voiceprint: Voiceprint,
    record: PolicyholderRecord,
    threshold: float = SAME_VOICE_THRESHOLD,
) -> list[DuplicateVoice]:
    """Other policyholders' stored voices like this one, closest sales links first."""
    holder = index.holder_key(record.policyholder_id)
    matches = [
        DuplicateVoice(hit.entry, hit.score, shared_links(record, hit.entry))
        for hit in index.search(voiceprint, threshold)
        if hit.entry.policyholder_id != holder
    ]
    return sorted(matches, key=lambda m: (-m.link_weight, -m.score))


def duplicate_voice_cue(matches: list[DuplicateVoice], leg: Leg = Leg.CUSTOMER) -> VoiceCue | None:
    """The agent's line: how many other policyholders this voice answered for, and the links."""
    holders = {m.entry.policyholder_id for m in matches}
    if not holders:
        return None
    message = f"此声音已为其他{len(holders)}位投保人的保单应答"
    for link in SHARED_LINK_WEIGHTS:
        linked = {m.entry.policyholder_id for m in matches if link in m.shared}
        if linked:
            message += f"（其中{len(linked)}位属{_LINK_ZH[link]}）"
            break
    severity = Severity.HIGH if matches[0].link_weight >= SHARED_LINK_WEIGHTS["team"] else (
        Severity.MEDIUM
    )
    reasons = tuple(
        f"保单{m.entry.policy_no} 相似度{m.score:.2f} {'、'.join(_LINK_ZH[s] for s in m.shared)}"
        .rstrip()
        for m in matches
    )
    others = tuple((m.entry.policy_no, round(m.score, 4)) for m in matches)
    return VoiceCue(
        CueKind.DUPLICATE_VOICE, severity, leg, message + "，请核实身份", reasons, matches[0].score,
        others,
    )
