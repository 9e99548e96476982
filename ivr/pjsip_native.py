"""The few pjsip C functions pjsua2's Python API does not reach, called through ctypes.

pjsua2's SWIG wrapper has no `pjsip_module` (no onRxRequest: out-of-dialog requests pjsua does
not handle get no answer at all) and no way to end an INVITE session at once (pjsua keeps a
slot until pjsip's 32 s timers run out). The wheel's extension module exports the whole pjsip C
API, so those functions are called directly: a real pjsip module in pjsip's own chain, and
`pjsip_inv_terminate` on the call's own dialog. Pj thread only, like everything pjsua2.

`pjsip_rx_data` is a large struct whose layout depends on compile-time sizes, so its fields
are not declared here: the message-info block is found from the pointer pjsip itself caches
there (`pjsip_rx_data_get_info`), and checked against the packet before it is trusted.
"""

from __future__ import annotations

import ctypes
import ipaddress
import logging
from dataclasses import dataclass
from typing import Any

import pjsua2 as pj

log = logging.getLogger(__name__)
_lib = ctypes.CDLL(pj._pjsua2.__file__)  # already loaded: the same handle, no second copy
_VOIDP = ctypes.c_void_p

RxCallback = ctypes.CFUNCTYPE(ctypes.c_int, _VOIDP)


class PjStr(ctypes.Structure):
    """pj_str_t."""

    _fields_ = [("ptr", ctypes.c_char_p), ("slen", ctypes.c_ssize_t)]


class PjsipModule(ctypes.Structure):
    """pjsip_module: list links, name, id, priority, then nine callbacks."""

    _fields_ = [("prev", _VOIDP), ("next", _VOIDP), ("name", PjStr), ("id", ctypes.c_int),
                ("priority", ctypes.c_int), ("load", _VOIDP), ("start", _VOIDP),
                ("stop", _VOIDP), ("unload", _VOIDP), ("on_rx_request", RxCallback),
                ("on_rx_response", _VOIDP), ("on_tx_request", _VOIDP),
                ("on_tx_response", _VOIDP), ("on_tsx_state", _VOIDP)]


class HeaderList(ctypes.Structure):
    """A pjsip_hdr used only as a list head (its prev/next links)."""

    _fields_ = [("prev", _VOIDP), ("next", _VOIDP), ("rest", ctypes.c_byte * 64)]


def _fn(name: str, restype: Any, *argtypes: Any) -> Any:
    fn = getattr(_lib, name)
    fn.restype = restype
    fn.argtypes = list(argtypes)
    return fn


_get_endpt = _fn("pjsua_get_pjsip_endpt", _VOIDP)
_register_module = _fn("pjsip_endpt_register_module", ctypes.c_int, _VOIDP, _VOIDP)
_unregister_module = _fn("pjsip_endpt_unregister_module", ctypes.c_int, _VOIDP, _VOIDP)
_rx_info = _fn("pjsip_rx_data_get_info", _VOIDP, _VOIDP)
_respond_stateless = _fn("pjsip_endpt_respond_stateless", ctypes.c_int, _VOIDP, _VOIDP,
                         ctypes.c_int, _VOIDP, _VOIDP, _VOIDP)
_respond = _fn("pjsip_endpt_respond", ctypes.c_int, _VOIDP, _VOIDP, _VOIDP, ctypes.c_int,
               _VOIDP, _VOIDP, _VOIDP, _VOIDP)
_create_pool = _fn("pjsip_endpt_create_pool", _VOIDP, _VOIDP, ctypes.c_char_p, ctypes.c_size_t,
                   ctypes.c_size_t)
_release_pool = _fn("pjsip_endpt_release_pool", None, _VOIDP, _VOIDP)
_get_capability = _fn("pjsip_endpt_get_capability", _VOIDP, _VOIDP, ctypes.c_int, _VOIDP)
_hdr_clone = _fn("pjsip_hdr_clone", _VOIDP, _VOIDP, _VOIDP)
_list_insert_before = _fn("pj_list_insert_before", None, _VOIDP, _VOIDP)
_generic_hdr = _fn("pjsip_generic_string_hdr_create", _VOIDP, _VOIDP, _VOIDP, _VOIDP)
_tsx_get_dlg = _fn("pjsip_tsx_get_dlg", _VOIDP, _VOIDP)
_dlg_get_inv = _fn("pjsip_dlg_get_inv_session", _VOIDP, _VOIDP)
_inv_terminate = _fn("pjsip_inv_terminate", ctypes.c_int, _VOIDP, ctypes.c_int, ctypes.c_int)
_inv_end_session = _fn("pjsip_inv_end_session", ctypes.c_int, _VOIDP, ctypes.c_int, _VOIDP,
                       ctypes.POINTER(_VOIDP))
_inv_send_msg = _fn("pjsip_inv_send_msg", ctypes.c_int, _VOIDP, _VOIDP)
_call_count = _fn("pjsua_call_get_count", ctypes.c_uint)

# pjsip_rx_data, relative to the message-info block M (x86-64 layout of pjsip 2.15):
# pkt_info.len at M-96, src_name at M-56, src_port at M-8; msg_info starts with msg_buf, len,
# msg, info.
_PKT_LEN_AT = -96
_SRC_NAME_AT = -56
_SRC_PORT_AT = -8
_INFO_AT = 24
_SCAN_WORDS = 4096  # the block lies past the packet buffer (4000 bytes in the wheel)


def call_count() -> int:
    """Calls pjsua holds a slot for right now (its own count, not ours)."""
    return int(_call_count())


def dialog_of_transaction(pj_transaction: Any) -> int:
    """The dialog of a transaction pjsua2 handed us (SipTransaction.pjTransaction), or 0."""
    if pj_transaction is None:
        return 0
    return int(_tsx_get_dlg(int(pj_transaction)) or 0)


def terminate_dialog_session(dialog: int, status_code: int) -> bool:
    """End the INVITE session of `dialog` now (pjsua frees the slot at once); False if none.

    pjsip stops the 2xx retransmissions, sends the BYE the state calls for, and reports
    DISCONNECTED before this returns. A BYE already sent lives on in its own transaction.
    """
    inv = _dlg_get_inv(dialog) if dialog else None
    if not inv:
        return False
    return int(_inv_terminate(inv, status_code, 1)) == 0


def send_bye(dialog: int, status_code: int) -> bool:
    """Send the BYE of a confirmed session through pjsip itself; False if it could not.

    pjsua's own hang-up would hold the call's slot until the BYE transaction ends (up to
    32 s when the peer never answers it); this BYE leaves the slot to `terminate`.
    """
    inv = _dlg_get_inv(dialog) if dialog else None
    if not inv:
        return False
    tdata = _VOIDP()
    if _inv_end_session(inv, status_code, None, ctypes.byref(tdata)) != 0 or not tdata:
        return False
    return int(_inv_send_msg(inv, tdata)) == 0


@dataclass(frozen=True)
class RxMessage:
    """A received request as pjsip saw it: the raw text and where it came from."""

    text: bytes
    packet_len: int  # bytes in the datagram (UDP) or read so far (TCP)
    source_ip: str
    source_port: int


class RxReader:
    """Reads pjsip_rx_data; finds the message-info block on first use and checks it."""

    def __init__(self) -> None:
        self._block: int | None = None
        self.unusable = False  # the layout did not check out: no message is read

    def read(self, rdata: int) -> RxMessage | None:
        """The request behind `rdata`, or None when its layout cannot be trusted."""
        info = _rx_info(rdata)  # also caches the pointer in msg_info.info
        if self.unusable or not info:
            return None
        if self._block is None:
            self._block = self._find_block(rdata, info)
            if self._block is None:
                self.unusable = True
                log.error("pjsip_rx_data layout not recognised: the SIP guard lets every "
                          "request pass unscreened (another pjsua2 build?)")
                return None
        return self._read_at(rdata, self._block)

    @staticmethod
    def _find_block(rdata: int, info: int) -> int | None:
        words = (ctypes.c_uint64 * _SCAN_WORDS).from_address(rdata)
        for index in range(_SCAN_WORDS):
            if words[index] == info:
                block = index * 8 - _INFO_AT
                if block > 0 and RxReader._plausible(rdata, block):
                    return block
        return None

    @staticmethod
    def _plausible(rdata: int, block: int) -> bool:
        message = RxReader._read_at(rdata, block)
        return (message is not None and 0 < len(message.text) <= message.packet_len
                and 0 < message.source_port < 65536)

    @staticmethod
    def _read_at(rdata: int, block: int) -> RxMessage | None:
        msg_buf = _VOIDP.from_address(rdata + block).value
        msg_len = ctypes.c_int.from_address(rdata + block + 8).value
        packet_len = ctypes.c_ssize_t.from_address(rdata + block + _PKT_LEN_AT).value
        name = ctypes.string_at(rdata + block + _SRC_NAME_AT, 48).split(b"\0", 1)[0]
        port = ctypes.c_int.from_address(rdata + block + _SRC_PORT_AT).value
        if not msg_buf or not 0 < msg_len <= 0x100000:
            return None
        try:
            source = str(ipaddress.ip_address(name.decode("ascii")))
        except (UnicodeDecodeError, ValueError):
            return None
        return RxMessage(ctypes.string_at(msg_buf, msg_len), packet_len, source, port)


class NativeModule:
    """A pjsip module whose on_rx_request is a Python callable returning True when handled."""

    def __init__(self, name: str, priority: int, on_rx: Any) -> None:
        self._name = name.encode()
        self._callback = RxCallback(on_rx)  # kept: pjsip calls it until unregistered
        self._module = PjsipModule(name=PjStr(self._name, len(self._name)), id=-1,
                                   priority=priority, on_rx_request=self._callback)
        self.registered = False

    def register(self) -> None:
        """Add the module to the running endpoint's chain."""
        status = _register_module(_get_endpt(), ctypes.byref(self._module))
        if status != 0:
            raise RuntimeError(f"pjsip refused module {self._name!r}: status {status}")
        self.registered = True

    def unregister(self) -> None:
        """Take it out again (before libDestroy)."""
        if self.registered:
            _unregister_module(_get_endpt(), ctypes.byref(self._module))
            self.registered = False


class Responder:
    """Answers a request from inside a module callback, with an Allow header where asked."""

    def __init__(self) -> None:
        self._endpt = _get_endpt()
        self._pool = _create_pool(self._endpt, b"hf-responder", 1024, 1024)
        self._allow = HeaderList()
        head = ctypes.addressof(self._allow)
        self._allow.prev = self._allow.next = head
        allow = _get_capability(self._endpt, pj.PJSIP_H_ALLOW, None)
        if allow:
            _list_insert_before(head, _hdr_clone(self._pool, allow))
        self._retry = HeaderList()
        retry_head = ctypes.addressof(self._retry)
        self._retry.prev = self._retry.next = retry_head
        name, value = b"Retry-After", b"30"
        self._strings = (PjStr(name, len(name)), PjStr(value, len(value)))
        header = _generic_hdr(self._pool, ctypes.byref(self._strings[0]),
                              ctypes.byref(self._strings[1]))
        _list_insert_before(retry_head, header)

    def stateless(self, rdata: int, status_code: int, *, allow: bool = False,
                  retry_after: bool = False) -> None:
        """Answer without a transaction (a retransmission is simply answered again)."""
        headers = self._headers(allow, retry_after)
        _respond_stateless(self._endpt, rdata, status_code, None, headers, None)

    def stateful(self, rdata: int, status_code: int) -> None:
        """Answer through a server transaction: it absorbs retransmissions and the ACK."""
        _respond(self._endpt, None, rdata, status_code, None, None, None, None)

    def _headers(self, allow: bool, retry_after: bool) -> int | None:
        if allow:
            return ctypes.addressof(self._allow)
        if retry_after:
            return ctypes.addressof(self._retry)
        return None

    def close(self) -> None:
        """Release the pool (before libDestroy)."""
        if self._pool:
            _release_pool(self._endpt, self._pool)
            self._pool = None
