"""Callback scripts (回访话术), answer understanding and the automated callback dialogue."""
