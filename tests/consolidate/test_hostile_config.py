"""Hostile configs and damaged stores: one line and exit 2 (or 1), never a traceback, never a secret shown."""

from __future__ import annotations

import resource
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from consolidate.cli import app
from consolidate.core.config import MAX_VALUES, parse_config
from consolidate.core.errors import ConfigError, StoreError, redact
from consolidate.core.store import Resource, SiteRow, Store, url_hash
from consolidate.demo import example_config_text

EXAMPLE = example_config_text()


def _billion_laughs(levels: int = 9) -> str:
    """The classic alias bomb: each level repeats the one below nine times (9**levels strings)."""
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for previous, name in zip("abcdefghij", "bcdefghijk"[: levels - 1], strict=False):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
    return EXAMPLE + "\n".join(lines) + "\n"


HOSTILE = {
    "alias bomb": (_billion_laughs(), "expands to more than"),
    "nested 20k deep (flow)": (EXAMPLE + "deep: " + "[" * 20_000 + "]" * 20_000 + "\n", "nested more than"),
    "nested 2k deep (block)": (EXAMPLE + "deep:\n" + "".join(" " * i + "k:\n" for i in range(1, 2000)),
                               "nested more than"),
    "max_pages of 5,000 digits": (EXAMPLE.replace("max_pages: 100000 ", "max_pages: " + "9" * 5000 + " ", 1),
                                  "a number of 5,000 digits"),
    "max_pages of 25 digits": (EXAMPLE.replace("max_pages: 100000 ", "max_pages: " + "9" * 25 + " ", 1),
                               "crawl.max_pages"),
}


def _run_status(tmp_path: Path, text: str) -> subprocess.CompletedProcess[str]:
    """`consolidate status` on this config text, in a fresh process."""
    path = tmp_path / "migrations.yaml"
    path.write_text(text, encoding="utf-8")
    return subprocess.run([sys.executable, "-m", "consolidate.cli", "status", "--config", str(path)],
                          capture_output=True, text=True, timeout=300, cwd=tmp_path)


@pytest.mark.parametrize("case", ["alias bomb", "nested 20k deep (flow)", "nested 2k deep (block)",
                                  "max_pages of 5,000 digits", "max_pages of 25 digits"])
def test_hostile_yaml_is_one_line_exit_2(case: str, tmp_path: Path) -> None:
    """Bombs, deep nesting and absurd numbers: one error line naming the file, exit 2, no store created."""
    text, expected = HOSTILE[case]
    result = _run_status(tmp_path, text)
    assert result.returncode == 2, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    assert expected in result.stderr and "migrations.yaml:" in result.stderr
    assert not (tmp_path / ".consolidate").exists()


def test_alias_bomb_stays_small_in_memory(tmp_path: Path) -> None:
    """A billion-laughs config (9**9 strings once expanded) is refused with a small peak RSS."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    result = _run_status(tmp_path, _billion_laughs())
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    assert result.returncode == 2
    print(f"\nYAML alias bomb (9**9 = {9**9:,} values if expanded, cap {MAX_VALUES:,}): exit 2, "
          f"peak RSS of the refusing process {peak_mb:.0f} MB")
    assert before == 0 or peak_mb < 400


def test_oversized_config_refused_before_reading(tmp_path: Path) -> None:
    """A config past the size cap is refused at line 1 (a 10 MB comment is not a migrations.yaml)."""
    text = EXAMPLE + "#" + "x" * (5 * 1024 * 1024) + "\n"
    result = CliRunner().invoke(app, ["status", "--config", str(_write(tmp_path, text))])
    assert result.exit_code == 2 and "more than the" in result.output


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "migrations.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_duplicate_subsite_ids_refused() -> None:
    """Two portal.subsites with one id: the second is named at its line."""
    assert "    - id: fgw\n" in EXAMPLE and "    - id: jyj\n" in EXAMPLE  # the example's first two sub-sites
    text = EXAMPLE.replace("    - id: jyj\n", "    - id: fgw\n", 1)
    with pytest.raises(ConfigError) as info:
        parse_config(text)
    assert "portal.subsites[1].id: duplicate sub-site id 'fgw'" in info.value.message


def test_site_id_error_prints_its_pattern_whole(tmp_path: Path) -> None:
    """The pattern's [a-z] is printed as text, not eaten as console markup."""
    path = _write(tmp_path, EXAMPLE.replace("  - id: sfj", "  - id: SFJ", 1))
    result = CliRunner().invoke(app, ["status", "--config", str(path)])
    assert result.exit_code == 2
    assert "[a-z][a-z0-9_-]" in result.output


@pytest.mark.parametrize("replace", [
    ("    dir: .consolidate/preview", "    dir: .consolidate/preview\n    url: https://admin:hunter2@wp.example.gov.cn/"),
    ("    dir: .consolidate/preview", "    dir: .consolidate/preview\n    url: https://wp.example.gov.cn/?password=hunter2"),
    ("home_url: http://127.0.0.1:8702/", "home_url: http://jyj:hunter2@127.0.0.1:8702/"),
])
def test_credentials_inside_urls_refused_without_echo(replace: tuple[str, str], tmp_path: Path) -> None:
    """A URL carrying a password anywhere in the config: exit 2, a hint to the _env form, the secret never shown."""
    assert replace[0] in EXAMPLE
    path = _write(tmp_path, EXAMPLE.replace(*replace, 1))
    result = CliRunner().invoke(app, ["status", "--config", str(path)])
    assert result.exit_code == 2, result.output
    assert "_env" in result.output and "a URL with a password" in result.output
    assert "hunter2" not in result.output


@pytest.mark.parametrize("db", ["postgresql+psycopg://u@127.0.0.1:1/db?password=hunter2",
                                "postgresql+psycopg://u:hunter2@127.0.0.1:1/db",
                                "postgresql+psycopg://u@127.0.0.1:1/db?sslmode=disable&password=hunter2"])
def test_database_password_never_printed(db: str, tmp_path: Path) -> None:
    """`status` against an unreachable database: the error names the URL with its password hidden."""
    path = _write(tmp_path, EXAMPLE)
    result = CliRunner().invoke(app, ["status", "--config", str(path), "--db", db])
    assert result.exit_code == 1
    assert "hunter2" not in result.output and "***" in result.output
    assert "127.0.0.1:1/db" in result.output


def test_redact_keeps_urls_without_secrets() -> None:
    """Redaction hides passwords and tokens only."""
    assert redact("see http://example.gov.cn/a?id=3&page=2") == "see http://example.gov.cn/a?id=3&page=2"
    assert redact("postgresql://u:p@h/db?password=x&token=y") == "postgresql://u:***@h/db?password=***&token=***"


def test_zero_byte_state_db_is_refused(tmp_path: Path) -> None:
    """An empty state.db (a truncated copy) is refused, not silently turned into a new empty store."""
    workspace = tmp_path / ".consolidate"
    workspace.mkdir()
    (workspace / "state.db").write_bytes(b"")
    with pytest.raises(StoreError, match="empty"):
        Store.for_workspace(workspace)
    assert (workspace / "state.db").stat().st_size == 0
    result = CliRunner().invoke(app, ["status", "--config", str(_write(tmp_path, EXAMPLE))])
    assert result.exit_code == 1 and "0 bytes" in result.output


def test_store_damaged_mid_file_is_one_line(tmp_path: Path) -> None:
    """A state.db with a page overwritten mid-file: the command ends with one line and a recovery hint."""
    workspace = tmp_path / ".consolidate"
    store = Store.for_workspace(workspace)
    with store.session() as session:
        session.add(SiteRow(id="fgw", name="x", home_url="http://x/", disposition="migrate", facts={}))
        session.flush()
        session.add_all(Resource(site_id="fgw", url=f"http://x/{i}/" + "a" * 200, url_hash=url_hash(str(i)),
                                 kind="page", status="fetched", hint={}) for i in range(5000))
    store.engine.dispose()
    db = workspace / "state.db"
    data = bytearray(db.read_bytes())
    middle = len(data) // 2
    data[middle:middle + 8192] = b"Z" * 8192
    db.write_bytes(bytes(data))
    result = CliRunner().invoke(app, ["status", "--config", str(_write(tmp_path, EXAMPLE))])
    assert result.exit_code == 1, result.output
    assert "damaged" in result.output and ".recover" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_scope_patterns_and_plain_urls_are_not_taken_for_credentials() -> None:
    """A crawl pattern naming token= and a URL with an ordinary query or user@ only stay valid."""
    text = EXAMPLE.replace("exclude: ['/search/'", r"exclude: ['/login\?token=.*', 'https?://x/\?password=', '/search/'",
                           1).replace("home_url: http://127.0.0.1:8702/", "home_url: http://127.0.0.1:8702/?id=3&a=b", 1)
    assert "token=" in text and "?id=3" in text
    config = parse_config(text)
    assert config.crawl.exclude[0] == r"/login\?token=.*"
