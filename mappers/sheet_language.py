"""The language an office sheet speaks, read from its header row, and its messages in that language.

A sheet is answered in the language it was written in: an office that fills in a Chinese sheet gets its row
errors, the headline, the hint and the summary of what was recorded in Chinese; an English sheet in English. The
column map sheet and the triage sheet share this: each keeps one message table (key → {language → text}) and
its headers in both languages.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from consolidate.core.errors import UsageError

Messages = Mapping[str, Mapping[str, str]]
# The sign-off columns every office sheet ends its decision with: (key, Chinese header, English header, required)
SIGNATURE: tuple[tuple[str, str, str, bool], ...] = (("signer", "审核人", "Signed by", True),
                                                     ("signed_on", "审核日期", "Signed on", True))
LANGUAGES = ("zh", "en")  # the languages a sheet is written in
FALLBACK = "en"  # a language a table has no text in is answered in English
LIST_SEPARATOR = {"en": ", ", "zh": "、"}


def fold(text: str) -> str:
    """Header text for comparison (spaces collapsed, lower case)."""
    return re.sub(r"\s+", " ", text).strip().lower()


def require_language(lang: str) -> str:
    """A sheet language given on the command line, or UsageError naming the choices."""
    if lang not in LANGUAGES:
        raise UsageError(f"--lang {lang}: a sheet is written in {' or '.join(LANGUAGES)}",
                         hint="use --lang zh or --lang en")
    return lang


def header_language(header: Iterable[Any], headers: Mapping[str, Iterable[str]], default: str = FALLBACK) -> str:
    """The language of a header row: the one of `headers` (language → its header texts) with the most cells in
    the row; `default` when no language has more than every other (no header known, or a tie)."""
    texts = {fold(str(value)) for value in header if value is not None}
    counts = {lang: sum(fold(h) in texts for h in names) for lang, names in headers.items()}
    best = max(counts.values(), default=0)
    leaders = [lang for lang, count in counts.items() if count == best]
    return leaders[0] if best and len(leaders) == 1 else default


def label_words(labels: Mapping[str, Mapping[str, str]]) -> dict[str, str]:
    """Every label of a table (language → key → label) back to its key, whatever the language it is in."""
    return {label: key for by_key in labels.values() for key, label in by_key.items()}


def say(messages: Messages, lang: str, key: str, **values: Any) -> str:
    """A message of a table in a sheet language (English when the table has no text in that language)."""
    texts = messages[key]
    return texts.get(lang, texts[FALLBACK]).format(**values)


def joined(items: Iterable[str], lang: str) -> str:
    """Items listed in a language ('遮盖 3、不发布 2' / 'mask 3, withhold 2')."""
    return LIST_SEPARATOR.get(lang, LIST_SEPARATOR[FALLBACK]).join(items)


def tallies(decisions: Iterable[str], signers: Iterable[str], lang: str) -> dict[str, str]:
    """The decisions ('迁移 3、不迁移 2') and signers ('张敏 5 行' / '张敏 5') an import recorded, as its summary
    lists them (one item per decision or signer, with its count of rows)."""
    unit = " 行" if lang == "zh" else ""
    return {"decisions": joined((f"{d} {n}" for d, n in Counter(decisions).items()), lang),
            "signers": joined((f"{s} {n}{unit}" for s, n in Counter(signers).items()), lang)}
