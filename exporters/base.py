"""The exporter protocol and registry: a portal target receives columns, files and articles."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, ValidationError

from consolidate.core.config import Portal
from consolidate.core.errors import ExporterError


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


class Exporter(ABC):
    """A portal target. Implementations must make every put idempotent by source key."""

    name: ClassVar[str]
    options_model: ClassVar[type[ExporterOptions]] = ExporterOptions
    links_known_before_push: ClassVar[bool] = False
    takes_letters: ClassVar[bool] = False  # interaction records: put_letter (exporters/letters.py ExportLetter)

    def __init__(self, options: ExporterOptions, context: ExportContext) -> None:
        self.options = options
        self.context = context
        self.findings: list[Finding] = []

    @property
    @abstractmethod
    def target(self) -> str:
        """A stable name of the destination, used to key the push map (e.g. 'static:/path')."""

    def planned_url(self, kind: str, source_key: str, **facts: Any) -> str | None:
        """The final URL of an object before it is pushed, when the target can tell; else None."""
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
        """Create or update an interaction record (an exporters.letters.ExportLetter), when `takes_letters`."""
        raise ExporterError(f"exporter {self.name!r} takes no interaction records")

    def take_findings(self) -> list[Finding]:
        """The findings noted since the last call (the push records them as events)."""
        taken, self.findings = self.findings, []
        return taken

    def finish(self) -> None:
        """Called once after a push (e.g. to render indexes)."""
        return None

    def close(self) -> None:
        """Release connections."""
        return None


REGISTRY: dict[str, type[Exporter]] = {}


def register(cls: type[Exporter]) -> type[Exporter]:
    """Class decorator adding an exporter to the registry under its name."""
    REGISTRY[cls.name] = cls
    return cls


def create_exporter(name: str, options: dict[str, Any], context: ExportContext) -> Exporter:
    """Instantiate a registered exporter; unknown names and options are errors that list the valid ones."""
    return REGISTRY[name](check_exporter(name, options), context) if _ok(name) else _unknown(name)


def check_exporter(name: str, options: dict[str, Any]) -> ExporterOptions:
    """Validated options of a registered exporter, or ExporterError naming the option and the valid ones."""
    if not _ok(name):
        _unknown(name)
    model = REGISTRY[name].options_model
    try:
        return model.model_validate(options)
    except ValidationError as exc:
        valid = ", ".join(sorted(model.model_fields)) or "(none)"
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ExporterError(f"export.options.{where}: {first['msg']} (exporter {name!r})",
                            hint=f"valid options for {name}: {valid}") from None


def _ok(name: str) -> bool:
    """True when an exporter of this name is registered (built-ins loaded first)."""
    _load_builtin()
    return name in REGISTRY


def _unknown(name: str) -> Any:
    """Raise the error for an unregistered exporter name."""
    raise ExporterError(f"unknown exporter {name!r}", hint=f"valid exporters: {', '.join(sorted(REGISTRY))}")


def _load_builtin() -> None:
    """Import the built-in exporters so they register themselves."""
    from exporters import bundle, static_preview, wordpress, wxr  # noqa: F401
