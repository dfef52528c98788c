"""Jobs: the steps put in order for one command (plan and sync, nightly, the demo)."""
