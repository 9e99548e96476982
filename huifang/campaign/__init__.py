"""Automated pre-callback campaigns (预回访外呼): which policy to dial when, and the dialler.

schedule.py decides (pure, clock injected); storage/campaigns.py keeps the state; runner.py
claims attempts in the database and places the calls through huifang.calls.stored_call.
"""
