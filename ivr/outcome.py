"""The outcome of a call, decided from how it ended (pure, no pjsua2)."""

from __future__ import annotations

from enum import StrEnum


class CallOutcome(StrEnum):
    """Every way a call can end, as reported to storage and reviewers."""

    COMPLETED = "completed"  # answered, and we hung up at the end of the script
    PEER_HUNG_UP = "peer_hung_up"  # answered (or ringing inbound) and the customer hung up first
    NO_ANSWER = "no_answer"  # rang until our timeout, or the network gave up (408/480/487)
    BUSY = "busy"  # 486/600
    REJECTED = "rejected"  # the callee declined (603/403)
    INVALID_NUMBER = "invalid_number"  # 404/484/604/410: no such number
    MEDIA_TIMEOUT = "media_timeout"  # answered, then no RTP for too long
    TRANSFERRED = "transferred"  # handed over to a human (REFER accepted)
    CANCELLED = "cancelled"  # we abandoned an unanswered outbound call
    NO_ACK = "no_ack"  # inbound: we answered, the caller never ACKed our 200
    UNUSABLE_OFFER = "unusable_offer"  # inbound: nothing in the caller's SDP was usable (488)
    INTERRUPTED = "interrupted"  # the process handling it died; settled on the next start
    FAILED = "failed"  # any other error (5xx, transport failure)


class EndCause(StrEnum):
    """Why *we* ended a call; the peer's reasons come as SIP status codes."""

    HANGUP = "hangup"
    RING_TIMEOUT = "ring_timeout"
    MEDIA_TIMEOUT = "media_timeout"
    TRANSFERRED = "transferred"
    NO_ACK = "no_ack"
    UNUSABLE_OFFER = "unusable_offer"


_BY_LOCAL_CAUSE = {
    EndCause.RING_TIMEOUT: CallOutcome.NO_ANSWER,
    EndCause.MEDIA_TIMEOUT: CallOutcome.MEDIA_TIMEOUT,
    EndCause.TRANSFERRED: CallOutcome.TRANSFERRED,
    EndCause.NO_ACK: CallOutcome.NO_ACK,
    EndCause.UNUSABLE_OFFER: CallOutcome.UNUSABLE_OFFER,
}

_BY_STATUS = {
    486: CallOutcome.BUSY,
    600: CallOutcome.BUSY,
    603: CallOutcome.REJECTED,
    403: CallOutcome.REJECTED,
    404: CallOutcome.INVALID_NUMBER,
    410: CallOutcome.INVALID_NUMBER,
    484: CallOutcome.INVALID_NUMBER,
    604: CallOutcome.INVALID_NUMBER,
    408: CallOutcome.NO_ANSWER,
    480: CallOutcome.NO_ANSWER,
    487: CallOutcome.NO_ANSWER,
}


def classify_call_end(*, answered: bool, status_code: int, cause: EndCause | None,
                      inbound: bool = False) -> CallOutcome:
    """The outcome of a call from whether it was answered, its last status and our cause."""
    if cause in _BY_LOCAL_CAUSE:
        return _BY_LOCAL_CAUSE[cause]
    if answered:
        return CallOutcome.COMPLETED if cause is EndCause.HANGUP else CallOutcome.PEER_HUNG_UP
    if cause is EndCause.HANGUP:
        return CallOutcome.CANCELLED
    if inbound:
        return CallOutcome.PEER_HUNG_UP  # the caller gave up before we answered
    return _BY_STATUS.get(status_code, CallOutcome.FAILED)
