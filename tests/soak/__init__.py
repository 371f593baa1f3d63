"""A short soak of the client and the headless console against the simulator (issue 8)."""
