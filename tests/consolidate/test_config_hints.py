"""Config errors' hints say what is wrong: a repeated id names the other one's line; a misspelt optional key gets
'did you mean' too (not only a misspelt required one)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from consolidate.cli import app
from consolidate.core.config import parse_config
from consolidate.core.errors import ConfigError
from consolidate.demo import example_config_text


def _error(old: str, new: str) -> tuple[ConfigError, str]:
    text = example_config_text()
    assert old in text, old
    text = text.replace(old, new, 1)
    with pytest.raises(ConfigError) as caught:
        parse_config(text)
    return caught.value, text


def _line(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def test_a_duplicate_site_id_says_ids_must_be_unique_and_names_the_other_line() -> None:
    error, text = _error("  - id: sfj", "  - id: jyj")
    assert "duplicate site id 'jyj'" in error.message
    assert "must be unique" in error.hint and "portal.columns" not in error.hint
    first = _line(text, "\n  - id: jyj") + 1  # the site's line, not the sub-site's
    assert f"sites[1].id, line {first}" in error.hint


def test_a_duplicate_subsite_id_names_the_other_line() -> None:
    text = example_config_text()
    first = text.index("  subsites:")
    ident = text.index("    - id: ", first)
    name = text[ident + len("    - id: "): text.index("\n", ident)].split(",")[0].strip()
    second = text.index("    - id: ", ident + 1)
    other = text[second + len("    - id: "): text.index("\n", second)].split(",")[0].strip()
    error, changed = _error(f"    - id: {other}", f"    - id: {name}")
    assert "must be unique" in error.hint and f"portal.subsites[0].id, line {_line(changed, f'- id: {name}')}" \
        in error.hint


@pytest.mark.parametrize(("old", "new", "meant"), [
    ("target: {subsite: jyj}", "target: {subsit: jyj}", "subsite"),
    ("    disposition: migrate\n", "    dispositon: migrate\n", "disposition"),
    ("    aliases:", "    alias:", "aliases"),
])
def test_a_misspelt_key_gets_did_you_mean(old: str, new: str, meant: str) -> None:
    """Whether the key it meant is required (disposition) or optional (target.subsite, aliases)."""
    error, _text = _error(old, new)
    assert error.hint == f"did you mean {meant!r}?"


def test_a_config_error_on_line_100_is_not_an_emoji(tmp_path: Path) -> None:
    """The CLI prints 'migrations.yaml:100:' as it is (rich made ':100:' a 💯)."""
    path = tmp_path / "migrations.yaml"
    path.write_text("#\n" * 99 + "colour: red\n" + example_config_text(), encoding="utf-8")
    result = CliRunner().invoke(app, ["status", "-c", str(path)])
    assert result.exit_code == 2
    assert "migrations.yaml:100: colour" in result.output and "💯" not in result.output
