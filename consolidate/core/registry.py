"""The exporter registry: exporter names → dotted paths ('package.module:Class'), the built-ins plus every
installed package's `consolidate.exporters` entry point. A class is imported only when asked for (importlib), so
the core imports nothing above it and a third party adds an exporter without editing this project."""

from __future__ import annotations

import importlib
from importlib.metadata import entry_points
from typing import Any

from pydantic import BaseModel, ValidationError

from consolidate.core.errors import ExporterError, ExporterOptionsError, UnknownExporterError

ENTRY_POINT_GROUP = "consolidate.exporters"
BUILTIN_EXPORTERS = {
    "static": "exporters.static_preview:StaticPreviewExporter",
    "wordpress": "exporters.wordpress:WordPressExporter",
    "bundle": "exporters.bundle:BundleExporter",
    "wxr": "exporters.wxr:WxrExporter",
}
_ADDED: dict[str, str] = {}  # added at run time by register_exporter (a program embedding the library, tests)


def register_exporter(name: str, path: str) -> None:
    """Make an exporter known under `name` in this process (installed packages use the entry point instead)."""
    _ADDED[name] = path


def exporter_paths() -> dict[str, str]:
    """Every known exporter name → dotted path: entry points, overridden by run-time additions and built-ins."""
    found = {point.name: point.value for point in entry_points(group=ENTRY_POINT_GROUP)}
    return {**found, **_ADDED, **BUILTIN_EXPORTERS}


def exporter_path(name: str) -> str:
    """The dotted path of an exporter name (entry points are read only for names not built in), or the error
    that lists the valid names."""
    path = BUILTIN_EXPORTERS.get(name) or _ADDED.get(name)
    if path is None:
        paths = exporter_paths()
        if name not in paths:
            raise UnknownExporterError(f"unknown exporter {name!r}", hint=f"valid exporters: {', '.join(sorted(paths))}")
        path = paths[name]
    return path


def exporter_class(name: str) -> Any:
    """The class of an exporter name, imported now; a path that does not load is a clear error."""
    path = exporter_path(name)
    module_name, _, attribute = path.partition(":")
    try:
        found = getattr(importlib.import_module(module_name), attribute) if attribute else None
    except (ImportError, AttributeError) as exc:
        raise ExporterError(f"exporter {name!r} cannot be loaded from {path!r} ({exc})",
                            hint="install the package that provides it, or fix its entry point") from None
    if not isinstance(found, type) or not _is_model(getattr(found, "options_model", None)):
        raise ExporterError(f"{path!r} (exporter {name!r}) is not an exporter class",
                            hint="an exporter subclasses exporters.base.Exporter (see docs/exporters.md)")
    return found


def exporter_options(name: str, options: dict[str, Any]) -> BaseModel:
    """The validated options of an exporter, or ExporterOptionsError naming the option and the valid ones."""
    model = exporter_class(name).options_model
    try:
        return model.model_validate(options)
    except ValidationError as exc:
        valid = ", ".join(sorted(model.model_fields)) or "(none)"
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ExporterOptionsError(f"export.options.{where}: {first['msg']} (exporter {name!r})",
                                   hint=f"valid options for {name}: {valid}") from None


def _is_model(value: Any) -> bool:
    """True for a pydantic model class."""
    return isinstance(value, type) and issubclass(value, BaseModel)
