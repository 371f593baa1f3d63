"""Widgets of the console: each renders part of the inspector model."""
