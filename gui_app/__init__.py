"""Brigade's desktop app (Qt). Subscribes to ``core``; ``core`` never imports this."""
