"""The exporter protocol: a portal target receives columns, files and articles (docs/exporters.md).

An exporter is found by name through consolidate.core.registry (the built-ins' dotted paths and the
`consolidate.exporters` entry points); create_exporter() builds one without touching the target, start() opens
it, finish() completes its output after a push, close() releases it."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import BaseModel, ConfigDict

from consolidate.core.errors import ExporterError
from consolidate.core.registry import exporter_class, exporter_options

if TYPE_CHECKING:
    from consolidate.core.config import Portal


@dataclass
class ExportColumn:
    """A portal column to create (parents are pushed before children)."""

    source_key: str  # e.g. "column:fgw/tzgg"
    column_id: str
    name: str
    path: list[str]
    parent_key: str | None
    subsite: str | None
    subsite_name: str | None = None


@dataclass
class ExportFile:
    """An attachment or image to re-host, read from the blob store."""

    source_key: str  # "file:<sha256>"
    source_url: str
    name: str
    sha256: str
    size: int
    blob_path: Path
    kind: str  # attachment | image
    subsite: str | None
    content_type: str | None = None  # as the legacy server sent it (names the type when the name cannot)


@dataclass
class ExportArticle:
    """An article ready for the target: links already rewritten to their new homes."""

    source_key: str  # "article:<site>:<url hash>"
    source_url: str
    site_id: str
    site_name: str
    subsite: str | None
    column_key: str
    column_id: str
    title: str
    published: str | None
    source: str | None
    publisher: str | None
    index_no: str | None
    doc_no: str | None
    written: str | None
    topic: str | None
    body_html: str
    content_hash: str
    attachments: list[dict[str, Any]] = field(default_factory=list)  # [{name, url(new), size, sha256}]
    date_estimated: str | None = None  # what an estimated `published` was taken from (None: the page's own date)
    validity: str | None = None  # 有效性 as the legacy page showed it (有效 / 失效 / 废止)


@dataclass
class TargetRef:
    """Where an object lives in the target."""

    target_id: str
    url: str


@dataclass
class TargetSnapshot:
    """An object as the target holds it, read back for `consolidate verify`."""

    title: str
    published: str | None  # ISO, as the target stores it
    body_html: str
    column_ids: list[str]  # portal column ids
    attachments: list[tuple[str, str, int]]  # (name, sha256, bytes)
    url: str


@dataclass
class Finding:
    """Something an exporter changed or refused for safety, for the push to record as an event."""

    level: str  # warning | error
    code: str  # e.g. active_content_renamed
    message: str
    url: str | None = None


@dataclass
class ExportContext:
    """What an exporter may use besides its options."""

    workspace: Path
    portal: Portal
    programme_name: str

    def output_path(self, configured: str | None, default: str) -> Path:
        """Where an exporter writes: the configured path (relative to migrations.yaml's folder) or a default
        inside the workspace."""
        if not configured:
            return self.workspace / default
        path = Path(configured)
        return path if path.is_absolute() else self.workspace.parent / path


class ExporterOptions(BaseModel):
    """Base of exporter option models: unknown options are errors."""

    model_config = ConfigDict(extra="forbid")


@dataclass(frozen=True)
class Capabilities:
    """What a target can do beyond the protocol every exporter implements: the one place the push learns it.

    Every exporter must read its own output back (`read`, for verify) and make every put idempotent by source key;
    those are no capabilities but the protocol."""

    # planned_url("article", key, column_id=…, subsite=…) gives an article's final URL before it is pushed, so
    # links between articles are rewritten in one pass. Without it an article's URL is known once the target
    # answers put_article, and the articles whose links waited for it are sent a second time.
    planned_urls: bool = False
    # put_article may run in this many threads at once (the others are called from one thread only).
    concurrency: int = 1
    # An article without a publish date: None, the target shows none; "hold", it would show it as published now,
    # so the push holds it for review; "estimate", the push sends a date estimated from recorded evidence instead.
    undated: str | None = None
    # Changes when the form of what put_article writes changes: the push then re-sends every article once.
    payload_version: str = ""
    # put_letter takes interaction records (exporters/letters.py ExportLetter); without it the push records each
    # letter as skipped with the reason (consolidate/letters_push.py).
    letters: bool = False
    # The output is a folder (exporter.root) a reader browses: with s3:// storage the push copies it to the bucket.
    browsable_folder: bool = False
    # The output is a folder (exporter.root) that keeps every site's letters as files (letters.jsonl/xlsx, masked).
    letter_files: bool = False
    # What put_article writes is public at once (a live portal, not files someone reviews before publishing): a push
    # to it refuses a site whose columns nobody decided (no `consolidate map` yet) rather than map them on its own.
    live: bool = False


class Exporter(ABC):
    """A portal target. Implementations must make every put idempotent by source key.

    Lifecycle (as Scrapy's item exporters): `__init__` only keeps the options (no file or network I/O), start()
    opens the target, the puts, finds and reads follow, finish() completes the output after a push, close()
    releases what start() took. `with exporter:` starts and closes it."""

    name: ClassVar[str]
    options_model: ClassVar[type[ExporterOptions]] = ExporterOptions
    capabilities: Capabilities = Capabilities()  # set per instance where the options change them

    def __init__(self, options: ExporterOptions, context: ExportContext) -> None:
        self.options = options
        self.context = context
        self.findings: list[Finding] = []

    @property
    @abstractmethod
    def target(self) -> str:
        """A stable name of the destination, used to key the push map (e.g. 'static:/path')."""

    def start(self) -> None:
        """Open the target: create folders, take locks, load state, authenticate. Called before the first put, find
        or read; a second call does nothing."""
        return None

    def planned_url(self, kind: str, source_key: str, **facts: Any) -> str | None:
        """An object's final URL before it is pushed (asked only with `capabilities.planned_urls`); else None."""
        return None

    def home_url(self, subsite: str | None) -> str | None:
        """The public URL of a sub-site's home page after a push (where a department's legacy home page
        redirects); None when this target has none (the portal's home is used)."""
        return None

    @abstractmethod
    def put_column(self, column: ExportColumn, parent: TargetRef | None) -> TargetRef:
        """Create the column (or adopt the existing one)."""

    @abstractmethod
    def put_file(self, file: ExportFile) -> TargetRef:
        """Upload a file (or adopt the existing one)."""

    @abstractmethod
    def put_article(self, article: ExportArticle, column: TargetRef, existing: TargetRef | None) -> TargetRef:
        """Create the article, or update `existing`."""

    @abstractmethod
    def find(self, source_key: str) -> TargetRef | None:
        """The object already carrying this source key in the target, if any."""

    @abstractmethod
    def delete(self, source_key: str, ref: TargetRef) -> None:
        """Remove an object this tool created."""

    @abstractmethod
    def read(self, source_key: str, ref: TargetRef) -> TargetSnapshot | None:
        """The object as the target's durable output holds it now (None when it is gone): what `verify` checks,
        so it must read the output itself, never what this process merely remembers."""

    def put_letter(self, letter: Any, existing: TargetRef | None) -> TargetRef:
        """Create or update an interaction record (an exporters.letters.ExportLetter), with `capabilities.letters`;
        without `existing`, first adopt the object already carrying its source key (the push map may be lost)."""
        raise ExporterError(f"exporter {self.name!r} takes no interaction records")

    def take_findings(self) -> list[Finding]:
        """The findings noted since the last call (the push records them as events)."""
        taken, self.findings = self.findings, []
        return taken

    def finish(self) -> None:
        """Complete the output after a push (render indexes, write the file), also after a push that failed part
        way (what was put is then in the output, as the push map says). May be called after every site."""
        return None

    def close(self) -> None:
        """Release what start() took (connections, locks), keeping what was put; harmless when never started."""
        return None

    def __enter__(self) -> Exporter:
        """Start the exporter for a `with` block."""
        self.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        """Close the exporter at the end of a `with` block."""
        self.close()


def create_exporter(name: str, options: dict[str, Any], context: ExportContext) -> Exporter:
    """An exporter by name (consolidate.core.registry), not started; unknown names and options are errors that
    list the valid ones."""
    cls = exporter_class(name)
    if not issubclass(cls, Exporter):
        raise ExporterError(f"exporter {name!r} ({cls.__module__}.{cls.__name__}) does not subclass Exporter",
                            hint="see docs/exporters.md")
    return cls(exporter_options(name, options), context)
