"""The SIP side of huifang: one pjsua2 endpoint thread behind an asyncio facade.

Calls, prompts, DTMF, bridging, per-leg audio taps and stereo call recordings. pjsua2
objects never leave this package; other packages see only the events in `ivr.events`.
"""
