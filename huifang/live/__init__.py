"""Live assist: a call's legs → speech recognition → hints, published to the agent screen."""
