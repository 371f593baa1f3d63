"""Fuzzing over real sockets on 127.0.0.1: hostile frames against every part (issue 8)."""
