"""The outcome of a call from how it ended."""

from __future__ import annotations

import pytest

from ivr.outcome import CallOutcome, EndCause, classify_call_end


@pytest.mark.parametrize(("answered", "code", "cause", "inbound", "expected"), [
    (True, 200, EndCause.HANGUP, False, CallOutcome.COMPLETED),
    (True, 200, None, False, CallOutcome.PEER_HUNG_UP),
    (True, 200, EndCause.MEDIA_TIMEOUT, False, CallOutcome.MEDIA_TIMEOUT),
    (True, 200, EndCause.TRANSFERRED, False, CallOutcome.TRANSFERRED),
    (False, 487, EndCause.RING_TIMEOUT, False, CallOutcome.NO_ANSWER),
    (False, 487, EndCause.HANGUP, False, CallOutcome.CANCELLED),
    (False, 486, None, False, CallOutcome.BUSY),
    (False, 600, None, False, CallOutcome.BUSY),
    (False, 404, None, False, CallOutcome.INVALID_NUMBER),
    (False, 484, None, False, CallOutcome.INVALID_NUMBER),
    (False, 603, None, False, CallOutcome.REJECTED),
    (False, 408, None, False, CallOutcome.NO_ANSWER),
    (False, 480, None, False, CallOutcome.NO_ANSWER),
    (False, 503, None, False, CallOutcome.FAILED),
    (False, 0, None, False, CallOutcome.FAILED),
    (False, 487, None, True, CallOutcome.PEER_HUNG_UP),
    (False, 408, EndCause.NO_ACK, True, CallOutcome.NO_ACK),
    (False, 488, EndCause.UNUSABLE_OFFER, True, CallOutcome.UNUSABLE_OFFER),
])
def test_classify_call_end(answered: bool, code: int, cause: EndCause | None, inbound: bool,
                           expected: CallOutcome) -> None:
    """Our cause wins, then answered or not, then the SIP status."""
    assert classify_call_end(answered=answered, status_code=code, cause=cause,
                             inbound=inbound) is expected


def test_outcomes_are_stable_strings() -> None:
    """Storage keeps the values: they must not change by accident."""
    assert [o.value for o in CallOutcome] == [
        "completed", "peer_hung_up", "no_answer", "busy", "rejected", "invalid_number",
        "media_timeout", "transferred", "cancelled", "no_ack", "unusable_offer", "interrupted",
        "failed"]


def test_a_command_racing_the_hang_up_raises_call_ended() -> None:
    """The pj thread may find a call gone that the loop still thought live: CallEndedError."""
    import asyncio
    from concurrent.futures import Future

    import pytest

    from ivr.call import Call, CallEndedError
    from ivr.call_leg import CallGoneError

    class GonePjThread:
        def submit(self, fn: object) -> Future[None]:
            future: Future[None] = Future()
            future.set_exception(CallGoneError("call x has ended"))
            return future

    async def scenario() -> None:
        call = Call.__new__(Call)
        call._pj = GonePjThread()  # type: ignore[assignment]
        with pytest.raises(CallEndedError):
            await call._run(lambda: None)

    asyncio.run(scenario())
