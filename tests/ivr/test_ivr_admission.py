"""Admission of new INVITEs, the SIP guard's request parsing and the SDP offer check (pure)."""

from __future__ import annotations

import pytest

from ivr.admission import Admission, AdmissionPolicy, refusal_as_call_end
from ivr.events import CallRefused, RefusalReason
from ivr.outcome import CallOutcome
from ivr.sdp_offer import offer_problem
from ivr.sip_request import parse_request


def decide(admission: Admission, source: str = "10.0.0.9", now: float = 0.0, lines: int = 0,
           from_source: int = 0) -> RefusalReason | None:
    refusal = admission.decide(source, now, lines, from_source)
    return refusal.reason if refusal else None


def test_lines_are_pjsua_slots_in_use() -> None:
    admission = Admission(AdmissionPolicy(max_lines=2))
    assert decide(admission, lines=1) is None
    assert decide(admission, lines=2) is RefusalReason.LINES_BUSY


def test_only_the_allow_list_may_call_and_it_skips_the_per_source_limits() -> None:
    policy = AdmissionPolicy(max_lines=4, allowed_sources=AdmissionPolicy.networks(
        ["10.1.0.0/16", "192.0.2.7"]), invites_per_minute=1, calls_per_source=1)
    admission = Admission(policy)
    assert decide(admission, "10.9.9.9") is RefusalReason.SOURCE_NOT_ALLOWED
    for _ in range(5):  # a trunk: many INVITEs, many calls, from one address
        assert decide(admission, "10.1.2.3", from_source=3) is None
    assert decide(admission, "192.0.2.7", lines=4) is RefusalReason.LINES_BUSY


def test_a_bad_allow_list_entry_is_named() -> None:
    with pytest.raises(ValueError, match=r"10\.0\.0\.300"):
        AdmissionPolicy.networks(["10.0.0.1", "10.0.0.300"])


def test_invite_rate_is_a_token_bucket_per_source_on_the_given_clock() -> None:
    admission = Admission(AdmissionPolicy(invites_per_minute=3))
    assert [decide(admission, now=0.0) for _ in range(4)] == [
        None, None, None, RefusalReason.SOURCE_RATE]
    assert decide(admission, "10.0.0.10", now=0.0) is None  # another source is not limited
    assert decide(admission, now=10.0) is RefusalReason.SOURCE_RATE  # half a token (20 s each)
    assert decide(admission, now=20.0) is None  # a whole one
    assert decide(admission, now=20.0) is RefusalReason.SOURCE_RATE


def test_calls_at_once_per_source() -> None:
    admission = Admission(AdmissionPolicy(calls_per_source=2))
    assert decide(admission, from_source=1) is None
    assert decide(admission, from_source=2) is RefusalReason.SOURCE_CALLS


def test_a_scan_from_many_addresses_keeps_the_bucket_table_bounded() -> None:
    admission = Admission(AdmissionPolicy(invites_per_minute=10))
    for n in range(10_000):
        decide(admission, f"10.{n // 65536}.{n // 256 % 256}.{n % 256}", now=n * 0.001)
    assert len(admission._buckets) <= 4096


@pytest.mark.parametrize(("reason", "outcome"), [
    (RefusalReason.LINES_BUSY, CallOutcome.BUSY),
    (RefusalReason.NO_CALL_SLOT, CallOutcome.BUSY),
    (RefusalReason.SOURCE_RATE, CallOutcome.REJECTED),
    (RefusalReason.UNUSABLE_OFFER, CallOutcome.UNUSABLE_OFFER),
    (RefusalReason.OTHER, CallOutcome.FAILED),
])
def test_a_refusal_is_stored_as_a_call_that_never_began(reason: RefusalReason,
                                                        outcome: CallOutcome) -> None:
    ended = refusal_as_call_end(CallRefused("10.0.0.9:5060", "<sip:138@x>;tag=1", "abc", 486,
                                            reason))
    assert (ended.outcome, ended.answered, ended.recording) == (outcome, False, None)


INVITE = ("INVITE sip:huifang@10.0.0.1 SIP/2.0\r\nv: SIP/2.0/UDP 10.0.0.9:5060;branch=z9hG4bK1\r\n"
          "f: \"Zhang\" <sip:13800001111@10.0.0.9>;tag=a1\r\nt: <sip:huifang@10.0.0.1>\r\n"
          "i: call-1@10.0.0.9\r\nCSeq: 7 INVITE\r\nMax-Forwards: 0\r\nl: 12\r\n\r\nv=0\r\n")


def test_compact_headers_are_read() -> None:
    request = parse_request(INVITE.encode())
    assert request is not None
    assert (request.method, request.in_dialog, request.max_forwards) == ("INVITE", False, 0)
    assert (request.caller, request.sip_call_id) == (
        '"Zhang" <sip:13800001111@10.0.0.9>;tag=a1', "call-1@10.0.0.9")
    assert request.body_truncated  # 12 promised, 5 sent, over UDP
    assert not request.cseq_mismatch


def test_a_tagged_to_header_means_in_dialog_and_tcp_bodies_are_not_judged() -> None:
    text = INVITE.replace("t: <sip:huifang@10.0.0.1>", "To: <sip:huifang@10.0.0.1>;tag=b2")
    request = parse_request(text.replace("UDP", "TCP").encode())
    assert request is not None and request.in_dialog and not request.body_truncated


@pytest.mark.parametrize("junk", [b"", b"HELLO there\r\n\r\n", b"\x00\xff" * 30,
                                  b"INVITE sip:x SIP/2.0"])
def test_what_is_not_a_request_is_none_or_harmless(junk: bytes) -> None:
    request = parse_request(junk)
    assert request is None or request.method == "INVITE"


def sdp(connection: str = "IN IP4 10.0.0.9", media: str = "m=audio 6000 RTP/AVP 0 101",
        extra: str = "a=rtpmap:101 telephone-event/8000") -> str:
    return (f"INVITE x SIP/2.0\r\nContent-Type: application/sdp\r\n\r\nv=0\r\n"
            f"o=- 1 1 IN IP4 10.0.0.9\r\ns=-\r\nc={connection}\r\nt=0 0\r\n{media}\r\n{extra}\r\n")


@pytest.mark.parametrize(("message", "problem"), [
    (sdp(), None),
    ("INVITE x SIP/2.0\r\nContent-Length: 0\r\n\r\n", None),  # no offer: we offer
    (sdp(connection="IN IP6 ::1"), "IPv6"),
    (sdp(connection="IN IP4 nowhere.invalid"), "not an IP address"),
    (sdp(media="m=audio 6000 RTP/AVP 101"), "no audio codec in common"),
    (sdp(media="m=audio 0 RTP/AVP 0"), "no audio stream"),
    (sdp(media="m=video 6000 RTP/AVP 96", extra=""), "no audio stream"),
    (sdp(media="m=audio 6000 RTP/AVP 96", extra="a=rtpmap:96 G722/8000"), None),
])
def test_offer_problem(message: str, problem: str | None) -> None:
    found = offer_problem(message, ("PCMA", "PCMU", "G722", "L16"))
    assert (found is None) if problem is None else (found is not None and problem in found)


def test_methods_are_read_as_pjsip_reads_them() -> None:
    """pjsip takes "ack" for ACK (and asserts if asked to answer one): so do we."""
    request = parse_request(b"ack sip:x@y SIP/2.0\r\nCSeq: 1 ack\r\n\r\n")
    assert request is not None and request.method == "ACK" and not request.cseq_mismatch
