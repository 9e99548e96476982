"""Agent assist: misleading-sale (销售误导) rules over call transcripts → Flag and Hint events."""
