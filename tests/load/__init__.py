"""A short load run: concurrent sessions, direct and through the relay (issue 8)."""
