"""The little the simulator knows about words: filler words, and a few families of related
words a model would connect ("remember" asks for a tool about memory, "store" for one that
saves). The families stay small and specific: a common verb ("keep", "note") would call tools
for messages that only mention it. Shared by tool choice and argument filling."""

from __future__ import annotations

STOPWORDS = {
    "a", "an", "the", "is", "are", "was", "what", "whats", "what's", "in", "on", "at", "for",
    "of", "to", "please", "can", "could", "you", "me", "my", "i", "and", "or", "with", "call",
    "use", "tool", "function", "tell", "about", "how", "get", "set", "it", "this", "that", "do",
    "does", "be", "by", "from", "give", "show", "run", "now", "today", "some",
}  # fmt: skip

QUESTION_WORDS = {"what", "who", "whom", "whose", "where", "when", "which", "why", "how"}

_FAMILIES = [
    {"memory", "remember", "memorise", "memorize", "forget", "recall"},
    {"save", "store"},
]
_RELATED = {word: family for family in _FAMILIES for word in family}
CUE_WORDS = frozenset(_RELATED)
"""Every word of a family: words that ask for a tool rather than carry a value."""


def related(word: str) -> set[str]:
    """``word`` and the words of its family (lower-case, singular)."""
    return _RELATED.get(word, set()) | {word}
