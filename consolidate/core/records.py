"""Plain records passed between the crawler, the store, the mappers and the exporters."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field

ARTICLE_FIELDS = (
    "url", "site", "column_path", "title", "published", "source", "publisher", "index_no",
    "doc_no", "written", "topic", "validity", "published_source", "body_html", "body_text", "attachments", "images", "content_hash",
)


@dataclass
class AttachmentRef:
    """A file an article refers to: where it is, what the page calls it, (once fetched) its bytes, and whether it
    could be had: status 'fetched' or 'unreachable' (with the reason), None while not yet fetched. url is '' when
    the page gives the file no address (a javascript: link): such a file is kept by its name, never dropped."""

    url: str
    name: str | None = None
    bytes: int | None = None
    sha256: str | None = None
    status: str | None = None  # 'fetched' | 'unreachable' | None (not fetched yet)
    reason: str | None = None  # why unreachable: no address (javascript:), HTTP 404, outside scope, too large


@dataclass
class ArticleRecord:
    """One extracted article; missing fields are None, never a guess."""

    url: str
    site: str | None = None
    column_path: list[str] = field(default_factory=list)
    title: str | None = None
    published: str | None = None  # ISO 8601: YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS]
    source: str | None = None  # 信息来源
    publisher: str | None = None  # 发布机构
    index_no: str | None = None  # 索引号
    doc_no: str | None = None  # 发文字号
    written: str | None = None  # 成文日期, YYYY-MM-DD
    topic: str | None = None  # 主题分类
    validity: str | None = None  # 有效性: 有效 / 失效 / 废止 where the page shows it
    published_source: str | None = None  # which evidence gave `published`: visible / script / meta / list / url
    body_html: str = ""
    body_text: str = ""
    attachments: list[AttachmentRef] = field(default_factory=list)
    images: list[str] = field(default_factory=list)
    content_hash: str | None = None
    # Not part of the published record: what the extractor noticed on the way.
    spam_links: list[str] = field(default_factory=list)  # 暗链 removed from the body
    warnings: list[str] = field(default_factory=list)  # e.g. date conflicts
    part_urls: list[str] = field(default_factory=list)  # further parts of a multi-page article

    def compute_hash(self) -> str:
        """Hash of the content an office would call 'the article' (title, date, body, files)."""
        digest = hashlib.sha256()
        for part in (self.title or "", self.published or "", self.body_text or ""):
            digest.update(part.encode("utf-8"))
            digest.update(b"\x00")
        for att in self.attachments:
            digest.update((att.sha256 or att.url or f"name:{att.name or ''}").encode("utf-8"))
        self.content_hash = digest.hexdigest()
        return self.content_hash

    def to_public_dict(self) -> dict:
        """The record as published by `articles --json`: exactly ARTICLE_FIELDS."""
        data = asdict(self)
        return {key: data[key] for key in ARTICLE_FIELDS}
