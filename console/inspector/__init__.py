"""What the console knows, without Textual: events, timings, the session, recordings.

The Textual app only renders this part; it never parses protocol events itself. Nothing here
imports Textual (an import-linter contract checks it), so it is tested on its own.
"""
