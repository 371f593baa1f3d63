"""Audio for the console, without Textual: level and spectrum maths for the meter pane.

Samples are ``numpy.int16`` at 24 kHz mono, as everywhere in the library.
"""
