"""Why a SIP endpoint could not start (importable without loading pjsua2)."""

from __future__ import annotations


class SipStartError(RuntimeError):
    """pjsua2 refused to start (e.g. the SIP port is taken); nothing of it is left running."""


class EndpointBusyError(SipStartError):
    """Another Phone of this process still owns pjsua2's one Endpoint."""
