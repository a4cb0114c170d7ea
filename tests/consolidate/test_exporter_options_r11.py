"""An exporter's options that do not validate are their own error class (ExporterOptionsError, exit 2: a
configuration error, also at push time), raised where the options are read — no longer told by the message's
first words: a target's own failure that names an option is a failure of the work (exit 1)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from consolidate import pipeline
from consolidate.cli import app
from consolidate.core import registry
from consolidate.core.errors import ExporterError, ExporterOptionsError
from tests.exporters.jsonl_exporter import JsonLinesExporter

EXAMPLE = "tests.exporters.jsonl_exporter:JsonLinesExporter"


class RefusingExporter(JsonLinesExporter):
    """The example exporter on a target that refuses the work, naming the option that points at it."""

    def start(self) -> None:
        """Refuse as a read-only target does."""
        raise ExporterError(f"export.options.file: {self.path} is on a read-only disk",
                            hint="give export.options.file a writable place")


def _push(ws: pipeline.Workspace, exporter: str) -> tuple[int, str]:
    """`consolidate push fgw --exporter NAME`: its exit code and output."""
    result = CliRunner().invoke(app, ["push", "fgw", "--exporter", exporter, "-c", str(ws.loaded.path),
                                      "--db", ws.store.url], env={"COLUMNS": "300"})
    return result.exit_code, result.output


def test_options_that_do_not_validate_are_their_own_error(crawled: pipeline.Workspace,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """open_exporter with an option the exporter does not take raises ExporterOptionsError (exit code 2)."""
    monkeypatch.setitem(registry._ADDED, "jsonl", EXAMPLE)
    with pytest.raises(ExporterOptionsError) as bad:
        pipeline.open_exporter(crawled, "jsonl", {"colour": "red"})
    assert bad.value.exit_code == 2 and bad.value.message.startswith("export.options.colour")


def test_a_target_failure_naming_an_option_is_exit_1(crawled: pipeline.Workspace,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """A target that refuses the work with a message naming export.options.file is a failure (exit 1), not a
    configuration error; `push --exporter wordpress` without its options stays exit 2."""
    monkeypatch.setitem(registry._ADDED, "refusing", "tests.consolidate.test_exporter_options_r11:RefusingExporter")
    code, output = _push(crawled, "refusing")
    assert code == 1 and "read-only disk" in output and "Traceback" not in output, output
    code, output = _push(crawled, "wordpress")
    assert code == 2 and "export.options.url: Field required" in output, output
