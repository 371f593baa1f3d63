"""The Textual console: renders the inspector model; never parses protocol events itself."""
