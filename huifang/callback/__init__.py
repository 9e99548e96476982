"""The automated callback (预回访): one SIP call, one script dialogue, one recognition stream.

Composes ivr/ (the call), asr/ (the customer's words) and scripts_zh/ (what to say next);
none of those packages knows the others.
"""
