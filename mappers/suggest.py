"""Suggestions for a legacy column: names, synonyms, Traditional text, fuzzy matches and the articles' content."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz

from mappers.synonyms import concept_of, kind_of_name, normalise

CONTENT_SIGNALS: tuple[tuple[str, str, str], ...] = (
    # (kind, what is counted, pattern on the title; "doc_no" counts articles with a 发文字号)
    ("policy", "with a 发文字号", "doc_no"),
    ("notice", "titled 通知/公告/公示", r"通知|公告|公示|通告"),
    ("interpretation", "titled 解读", r"解读|一图读懂|图解|答记者问"),
    ("guide", "titled 指南/办理", r"指南|办理|须知|流程"),
    ("personnel", "titled 任免/招聘", r"任免|任职|免职|招聘|录用|人选"),
    ("plan", "titled 规划/计划/总结", r"规划|计划|总结"),
)
CONTENT_SHARE = 0.6  # a kind needs this share of a column's articles to count as its content's kind


@dataclass
class ColumnProfile:
    """What a column's articles look like: their number and the share pointing at each kind."""

    articles: int = 0
    shares: dict[str, float] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)

    def leading_kind(self) -> tuple[str, float, str] | None:
        """(kind, share, what was counted) of the strongest content signal at or above CONTENT_SHARE."""
        if not self.shares:
            return None
        kind = max(self.shares, key=lambda k: self.shares[k])
        share = self.shares[kind]
        return (kind, share, self.notes[kind]) if share >= CONTENT_SHARE else None


def profile_articles(articles: Iterable[dict[str, Any]]) -> ColumnProfile:
    """Count content signals over a column's articles (dicts with title and doc_no)."""
    rows = list(articles)
    profile = ColumnProfile(articles=len(rows))
    if not rows:
        return profile
    for kind, note, signal in CONTENT_SIGNALS:
        if signal == "doc_no":
            hits = sum(1 for a in rows if str(a.get("doc_no") or "").strip())
        else:
            hits = sum(1 for a in rows if re.search(signal, a.get("title") or ""))
        if hits:
            profile.shares[kind] = hits / len(rows)
            profile.notes[kind] = note
    return profile


@dataclass
class Candidate:
    """A portal column a legacy column might go to, with a score and the evidence."""

    target_id: str
    label: str  # the portal column's path for reasons
    kind: str
    score: float
    why: str


@dataclass
class NamedTarget:
    """What the scorer needs of a portal column."""

    id: str
    name: str
    aliases: list[str]
    kind: str
    label: str


def name_score(legacy_name: str, target: NamedTarget) -> tuple[float, str]:
    """How well a legacy name matches a portal column by name: (score 0–1, why)."""
    raw = _plain(legacy_name)
    simple = normalise(legacy_name)
    names = [(target.name, "name"), *((alias, "alias") for alias in target.aliases)]
    best: tuple[float, str] = (0.0, "")
    for name, how in names:
        for score, why in _scores_against(raw, simple, legacy_name, name, how):
            if score > best[0]:
                best = (score, why)
    return best


def _scores_against(raw: str, simple: str, legacy_name: str, name: str, how: str) -> Iterable[tuple[float, str]]:
    """Every name signal of one legacy name against one portal name or alias."""
    if raw == _plain(name):
        yield (1.0 if how == "name" else 0.95), f"same {how}"
    if simple == normalise(name):
        yield (0.95 if how == "name" else 0.93), f"same {how} after Traditional → Simplified"
    if concept_of(legacy_name) is not None and concept_of(legacy_name) == concept_of(name):
        yield 0.9, f"synonym of {name} ({concept_of(name).key})"  # type: ignore[union-attr]
    other = normalise(name)
    if len(other) >= 3 and other in simple and len(simple) > len(other):
        yield 0.8 + 0.1 * len(other) / len(simple), f"name contains {name}"
    ratio = fuzz.ratio(simple, other) / 100
    if ratio >= 0.75:
        yield round(0.95 * ratio, 3), f"fuzzy match with {name} ({ratio:.0%})"


def _plain(name: str) -> str:
    """Width and spacing folded, no Traditional conversion (exact-name comparisons)."""
    return re.sub(r"[\s·・\-_/|()（）]+", "", unicodedata.normalize("NFKC", name or "")).lower()


def rank_targets(legacy_name: str, profile: ColumnProfile | None, targets: list[NamedTarget]) -> list[Candidate]:
    """Portal columns ranked by name, synonym, kind and content evidence, best first."""
    lead = profile.leading_kind() if profile else None
    name_kind = kind_of_name(legacy_name)
    candidates = []
    for target in targets:
        score, why = name_score(legacy_name, target)
        if name_kind and name_kind != "other" and target.kind == name_kind and score < 0.6:
            score, why = 0.6, f"name suggests a {name_kind} column, as is {target.label}"
        score, why = _content_adjusted(score, why, lead, target)
        if score > 0:
            candidates.append(Candidate(target.id, target.label, target.kind, round(min(score, 1.0), 3), why))
    return sorted(candidates, key=lambda c: -c.score)


def _content_adjusted(score: float, why: str, lead: tuple[str, float, str] | None,
                      target: NamedTarget) -> tuple[float, str]:
    """Raise a score when the articles' content agrees with the target's kind, lower it when it disagrees."""
    if lead is None:
        return score, why
    kind, share, note = lead
    evidence = f"{share:.0%} of articles {note}"
    if target.kind == kind:
        if score == 0:
            return min(0.8, 0.45 + 0.35 * share), f"content: {evidence}; {target.label} is a {kind} column"
        return (score if score >= 1.0 else min(0.99, score + 0.04)), f"{why}; content agrees ({evidence})"
    if score > 0 and target.kind not in ("other", kind) and share >= 0.8:
        return score - 0.1, f"{why}; but content points elsewhere ({evidence})"
    return score, why


def is_ambiguous(candidates: list[Candidate], margin: float = 0.03) -> bool:
    """True when the two best candidates point at different columns with nearly the same score."""
    return len(candidates) >= 2 and candidates[0].score >= 0.6 and \
        candidates[0].score - candidates[1].score < margin and candidates[0].target_id != candidates[1].target_id
