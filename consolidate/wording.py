"""Counted nouns in English output: '1 article', '2 articles' — one place for the singular of the phrases the
checklist and messages start their lines with."""

from __future__ import annotations

import re

# The plural head of a condition line → its singular, for a count of 1 ("1 articles held …" → "1 article held …").
SINGULAR_HEADS = (
    ("article-holding columns", "article-holding column"), ("columns undecided", "column undecided"),
    ("pushed articles", "pushed article"), ("articles", "article"), ("problems", "problem"),
    ("files or columns", "file or column"), ("legacy URLs", "legacy URL"),
    ("personal-data findings", "personal-data finding"), ("list entries link", "list entry links"),
    ("columns", "column"), ("entries", "entry"), ("URLs", "URL"),
)


def counted(n: int, singular: str, plural: str | None = None) -> str:
    """'1 article' / '3 articles' (the plural given, else the singular + s)."""
    return f"{n} {singular if n == 1 else plural or singular + 's'}"


def singular_line(text: str) -> str:
    """A line that starts with a count of 1 and a plural head, with that head in the singular; else unchanged."""
    match = re.match(r"1 ", text)
    if match is None:
        return text
    for plural, singular in SINGULAR_HEADS:
        if text.startswith(plural, 2) and (len(text) == 2 + len(plural) or not text[2 + len(plural)].isalnum()):
            return f"1 {singular}{text[2 + len(plural):]}"
    return text
