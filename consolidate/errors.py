"""Errors the library raises; the CLI turns each into one line with a hint."""

from __future__ import annotations


class ConsolidateError(Exception):
    """A user-facing failure: what went wrong and how to fix it."""

    exit_code = 1

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class ConfigError(ConsolidateError):
    """migrations.yaml is unreadable or invalid; `message` starts with file:line."""

    exit_code = 2


class UnknownSiteError(ConsolidateError):
    """A site id given on the command line is not in migrations.yaml."""

    exit_code = 2


class StoreError(ConsolidateError):
    """The state store cannot be opened or is at an unexpected schema version."""


class ExporterError(ConsolidateError):
    """An exporter is misconfigured or its target refused the work."""


class InputFileError(ConsolidateError):
    """A file the office hands back (an edited sheet or CSV) is invalid; the message names the row."""

    exit_code = 2


class UsageError(ConsolidateError):
    """An option value the command does not know (like a usage error: exit 2)."""

    exit_code = 2
