"""Writes sip_corpus.jsonl: malformed and hostile SIP messages, deterministically (seed 17).

Run it again only to extend the corpus; the tests read the committed file. Each line is a JSON
object: {"kind": what was broken, "transport": "udp" or "tcp", "data": latin-1 text}. The
placeholders @HOST@ and @PORT@ (ours) and @SRC@ (the sender's port) are filled in when sent.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

SDP = ("v=0\r\no=fuzz 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
       "m=audio 40000 RTP/AVP 0 8 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n"
       "a=rtpmap:101 telephone-event/8000\r\n")
METHODS = ["INVITE", "OPTIONS", "BYE", "CANCEL", "ACK", "REGISTER", "MESSAGE", "NOTIFY",
           "SUBSCRIBE", "INFO", "UPDATE", "PRACK", "REFER", "PUBLISH", "FROBNICATE"]
GARBAGE = ["", " ", "banana", "-1", "99999999999999999999", "0x10", "1.5", "\x00", "\xff\xfe",
           "<<<sip:", "sip:@", ";;;;", "%00%ff", "A" * 300, "\r\n",
           "\u00e9\u00e8".encode().decode("latin-1")]
URIS = ["sip:huifang@@HOST@:@PORT@", "sip:@HOST@", "sip:", "tel:+8613800001111", "http://x/",
        "sip:huifang@[::1]:@PORT@", "sip:huifang@@HOST@:99999", "<sip:huifang@@HOST@>",
        "sip:" + "a" * 500 + "@@HOST@", "sips:huifang@@HOST@:@PORT@;transport=tls"]


def message(method: str, n: int, *, uri: str = "sip:huifang@@HOST@:@PORT@", body: str = "",
            extra: str = "", drop: str = "") -> str:
    """A well-formed request, before it is broken."""
    headers = [
        ("Via", f"SIP/2.0/UDP @HOST@:@SRC@;branch=z9hG4bKfuzz{n}"),
        ("From", f"<sip:1380000{n % 10000:04d}@@HOST@>;tag=fz{n}"),
        ("To", "<sip:huifang@@HOST@>"),
        ("Call-ID", f"fuzz-{n}@@HOST@"),
        ("CSeq", f"1 {method}"),
        ("Max-Forwards", "70"),
        ("Contact", "<sip:fuzz@@HOST@:@SRC@>"),
    ]
    if body:
        headers.append(("Content-Type", "application/sdp"))
    headers.append(("Content-Length", str(len(body))))
    lines = [f"{method} {uri} SIP/2.0"]
    lines += [f"{name}: {value}" for name, value in headers if name != drop]
    if extra:
        lines.append(extra)
    return "\r\n".join(lines) + "\r\n\r\n" + body


def corpus(rng: random.Random) -> list[dict[str, str]]:
    """Every kind of breakage, each over a few methods."""
    out: list[dict[str, str]] = []
    n = 0

    def add(kind: str, data: str, transport: str = "udp") -> None:
        out.append({"kind": kind, "transport": transport, "data": data})

    for method in METHODS:
        body = SDP if method == "INVITE" else ""
        for header in ("Via", "From", "To", "Call-ID", "CSeq", "Max-Forwards", "Contact"):
            n += 1
            add(f"{method} without {header}", message(method, n, body=body, drop=header))
        for value in GARBAGE:
            n += 1
            name = rng.choice(["Max-Forwards", "CSeq", "Content-Length", "Via", "From", "To",
                               "Call-ID", "Contact", "Expires", "Event"])
            add(f"{method} {name}: garbage", message(method, n, body=body, drop=name,
                                                      extra=f"{name}: {value}"))
        for uri in URIS:
            n += 1
            add(f"{method} odd request-URI", message(method, n, uri=uri, body=body))
        n += 1
        add(f"{method} Max-Forwards 0", message(method, n, body=body).replace(
            "Max-Forwards: 70", "Max-Forwards: 0"))
        n += 1
        add(f"{method} Content-Length past the end", message(method, n, body=body).replace(
            f"Content-Length: {len(body)}", "Content-Length: 3000"))
        n += 1
        add(f"{method} CSeq of another method", message(method, n, body=body).replace(
            f"CSeq: 1 {method}", "CSeq: 1 " + rng.choice([m for m in METHODS if m != method])))
        n += 1
        add(f"{method} in a dialog nobody has", message(method, n, body=body).replace(
            "To: <sip:huifang@@HOST@>", "To: <sip:huifang@@HOST@>;tag=nosuchdialog"))
        for _ in range(4):
            n += 1
            whole = message(method, n, body=body)
            cut = rng.randrange(1, len(whole))
            add(f"{method} cut at {cut}", whole[:cut])
        for _ in range(4):
            n += 1
            raw = bytearray(message(method, n, body=body).encode("latin-1"))
            for _ in range(rng.randint(1, 8)):
                raw[rng.randrange(len(raw))] = rng.randrange(256)
            add(f"{method} bytes flipped", raw.decode("latin-1"))
        n += 1
        add(f"{method} lower-case method", message(method, n, body=body).replace(
            method, method.lower(), 1))
        n += 1
        add(f"{method} LF line ends", message(method, n, body=body).replace("\r\n", "\n"))
        n += 1
        add(f"{method} SIP/3.0", message(method, n, body=body).replace("SIP/2.0\r\n",
                                                                       "SIP/3.0\r\n", 1))
        n += 1
        add(f"{method} header folded", message(method, n, body=body).replace(
            "Max-Forwards: 70", "Max-Forwards:\r\n 70"))
        n += 1
        add(f"{method} every header twice", "\r\n".join(
            line if not line or ":" not in line else f"{line}\r\n{line}"
            for line in message(method, n, body=body).split("\r\n")))
        n += 1
        add(f"{method} over TCP", message(method, n, body=body).replace(
            "SIP/2.0/UDP", "SIP/2.0/TCP"), transport="tcp")
    for variant, sdp in sdp_variants(rng):
        n += 1
        add(f"INVITE {variant}", message("INVITE", n, body=sdp))
    for size in (2000, 3900, 8000, 30000, 64000):
        n += 1
        add(f"OPTIONS {size} bytes of header", message("OPTIONS", n, extra="X-Junk: " + "x" * size),
            transport="udp" if size < 60000 else "tcp")
    for junk in ("\r\n\r\n", "\x00" * 64, "HELLO huifang", "SIP/2.0 200 OK\r\n\r\n",
                 "SIP/2.0 999 Whatever\r\nVia: SIP/2.0/UDP @HOST@:@SRC@\r\n\r\n",
                 "GET / HTTP/1.1\r\nHost: x\r\n\r\n", "\x16\x03\x01\x02\x00\x01\x00\x01\xfc"):
        for transport in ("udp", "tcp"):
            add("not SIP at all", junk, transport)
    return out


def sdp_variants(rng: random.Random) -> list[tuple[str, str]]:
    """Offers that are broken, odd or unusable."""
    variants = [
        ("IPv6 connection", SDP.replace("c=IN IP4 127.0.0.1", "c=IN IP6 ::1")),
        ("unresolvable host", SDP.replace("c=IN IP4 127.0.0.1", "c=IN IP4 nowhere.invalid")),
        ("telephone-event only", SDP.replace("m=audio 40000 RTP/AVP 0 8 101",
                                             "m=audio 40000 RTP/AVP 101")),
        ("no m= line", SDP.split("m=")[0]),
        ("port 0", SDP.replace("40000", "0")),
        ("port 99999", SDP.replace("40000", "99999")),
        ("video only", SDP.replace("m=audio", "m=video")),
        ("no c= line", SDP.replace("c=IN IP4 127.0.0.1\r\n", "")),
        ("no v= line", SDP.replace("v=0\r\n", "")),
        ("rtpmap junk", SDP + "a=rtpmap:banana PCMU/8000\r\na=rtpmap:0\r\n"),
        ("200 m= lines", SDP + "m=audio 40002 RTP/AVP 0\r\n" * 200),
        ("binary body", "\x00\x01\x02" * 40),
        ("not SDP", "this is not SDP at all"),
        ("empty lines", SDP.replace("\r\n", "\r\n\r\n")),
        ("hold (0.0.0.0)", SDP.replace("c=IN IP4 127.0.0.1", "c=IN IP4 0.0.0.0")),
        ("sendonly", SDP + "a=sendonly\r\n"),
    ]
    for _ in range(14):
        chars = list(SDP)
        for _ in range(rng.randint(1, 6)):
            chars[rng.randrange(len(chars))] = chr(rng.randrange(32, 127))
        variants.append(("SDP characters changed", "".join(chars)))
    return variants


def main() -> None:
    """Write the corpus beside this script."""
    items = corpus(random.Random(17))
    path = Path(__file__).with_name("sip_corpus.jsonl")
    path.write_text("".join(json.dumps(item) + "\n" for item in items), encoding="utf-8")
    print(f"{len(items)} messages written to {path}")


if __name__ == "__main__":
    main()
