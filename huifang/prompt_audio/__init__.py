"""Prompt audio: callback-script text rendered by a TTS engine into WAVs, cached by text hash."""
