"""A site id the pattern refuses gets the site-id rule as its hint (not the targets'); a site whose target names both
a sub-site and a column is refused with its YAML line (one place per site)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from consolidate.cli import app
from consolidate.core.config import parse_config
from consolidate.core.errors import ConfigError
from consolidate.demo import example_config_text


def _error(old: str, new: str) -> tuple[ConfigError, str]:
    """The config error of the example config with one change, and the changed text."""
    text = example_config_text()
    assert old in text, old
    text = text.replace(old, new, 1)
    with pytest.raises(ConfigError) as caught:
        parse_config(text)
    return caught.value, text


def test_a_bad_site_id_gets_the_site_id_rule() -> None:
    """'zjg ztb' (a space), as the trial wrote it: the hint says what a site id is, not where targets point."""
    error, _text = _error("  - id: sfj", "  - id: zjg ztb")
    assert "sites[" in error.message and "portal.columns" not in error.hint
    assert "site id" in error.hint and "lower-case letter" in error.hint and "no spaces" in error.hint


def test_a_bad_column_id_gets_the_column_id_rule() -> None:
    """A portal column id with a space: the column-id rule."""
    text = example_config_text()
    start = text.index("    - id: ", text.index("portal:"))
    ident = text[start + len("    - id: "): text.index("\n", start)].split(",")[0].strip()
    error, _ = _error(f"    - id: {ident}", f"    - id: {ident} x")
    assert "column id" in error.hint and "no spaces" in error.hint, (error.message, error.hint)


def test_a_target_of_both_a_subsite_and_a_column_is_refused_with_its_line(tmp_path) -> None:  # noqa: ANN001
    """target: {column: tzgg, subsite: jyj}: one place per site; refused naming the YAML line, exit 2."""
    error, text = _error("target: {subsite: jyj}", "target: {column: tzgg, subsite: jyj}")
    assert "both subsite 'jyj' and column 'tzgg'" in error.message
    line = text[: text.index("target: {column: tzgg")].count("\n") + 1
    assert f"migrations.yaml:{line}:" in error.message and "keep one" in error.hint, error.hint
    config = tmp_path / "migrations.yaml"
    config.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(app, ["status", "-c", str(config), "--db", f"sqlite:///{tmp_path / 's.db'}"])
    assert result.exit_code == 2 and "Traceback" not in result.output and "both subsite" in result.output
