"""Errors the library raises; the CLI turns each into one line with a hint."""

from __future__ import annotations

import re


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


class ExporterOptionsError(ExporterError):
    """An exporter's options do not validate (export.options, or none given for the exporter a command names): a
    configuration error, exit 2, also when met after the config loaded (`push --exporter NAME`)."""

    exit_code = 2


class UnknownExporterError(ExporterError):
    """An exporter name nobody provides (a bad option or config value: exit 2, as a usage error)."""

    exit_code = 2


class InputFileError(ConsolidateError):
    """A file the office hands back (an edited sheet or CSV) is invalid; the message names the row."""

    exit_code = 2


class UsageError(ConsolidateError):
    """An option value the command does not know (like a usage error: exit 2)."""

    exit_code = 2


_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)([^/\s:@?#]*):([^/\s@?#]*)@")
_SECRET_PARAM = re.compile(r"(?i)([?&;](?:password|passwd|pwd|pass|secret|token|access_token|api_?key|auth|"
                           r"sslpassword|sig|signature)=)([^&#\s'\"]+)")


def redact(text: str) -> str:
    """Text with every URL's password hidden: `user:pw@` → `user:***@`, `?password=x` → `?password=***`."""
    if "://" not in text and "=" not in text:
        return text
    return _SECRET_PARAM.sub(r"\1***", _USERINFO.sub(r"\1\2:***@", text))
