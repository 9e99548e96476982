"""`huifang demo`: everything on the embedded defaults, and a scripted callback to watch."""
