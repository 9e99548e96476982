"""The web layer (FastAPI): sign-in, the calls API, the agent screen's live websocket."""
