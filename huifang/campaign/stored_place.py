"""One campaign attempt = one stored outbound callback (huifang.calls.outbound)."""

from __future__ import annotations

from collections.abc import Callable

from huifang.calls.options import CallbackOptions
from huifang.calls.outbound import run_stored_callback
from huifang.calls.pipeline import CallPipeline
from huifang.campaign.ledger import Dial
from huifang.campaign.outcomes import attempt_outcome
from huifang.campaign.runner import CallResult, PlaceCall
from huifang.prompt_audio.cache import PromptCache
from ivr.phone import Phone
from storage.database import Database


def stored_callback_placer(phone: Phone, db: Database, pipeline: CallPipeline,
                           prompts: PromptCache, options: CallbackOptions) -> PlaceCall:
    """Place attempts as stored callbacks on `phone` (the script picked per policy there)."""

    async def place(dial: Dial, on_dialled: Callable[[int], None]) -> CallResult:
        stored = await run_stored_callback(phone, db, dial.policy_no, dial.uri, pipeline,
                                           prompts, options, on_dialled=on_dialled)
        ended = stored.outcome.call
        dialogue = stored.outcome.dialogue
        outcome = attempt_outcome(ended.outcome.value,
                                  dialogue.outcome.value if dialogue is not None else None)
        detail = f"{ended.outcome.value} {ended.status_code or ''} {ended.reason}".strip()
        return CallResult(outcome, " ".join(detail.split()), stored.call_id)

    return place
