"""What became of a legacy thing, in the words every stage shares: the push statuses that mean "in the target",
the note that marks the office's URL-map rows, the source keys of articles and columns, skip-reason categories."""

from __future__ import annotations

from consolidate.core.config import ColumnPlace
from consolidate.core.store import url_hash

IN_TARGET = ("pushed", "updated")
OFFICE_NOTE = "office:"  # URL-map rows the office edited start their note with this; pushes keep them
SYSTEM_DECIDERS = ("consolidate", "migrations.yaml")  # a column decision by anyone else was signed by the office


def article_key(site_id: str, url: str) -> str:
    """Source key of a legacy article."""
    return f"article:{site_id}:{url_hash(url)}"


def column_key(place: ColumnPlace) -> str:
    """Source key of a portal column."""
    return f"column:{place.subsite or 'portal'}:{place.column.id}"


FORMER_CATEGORIES = {"未完成个人信息审查": "personal data undecided"}  # codes a store written before kept in Chinese


def reason_category(reason: str) -> str:
    """The kind of a skip reason, for counting: 'column dropped: 新闻 > 图片' → 'column dropped'."""
    if reason.startswith("duplicate of "):
        return "duplicate"
    category = reason.split(": ", 1)[0].removesuffix(" (removed from the portal)")
    return FORMER_CATEGORIES.get(category, category)
