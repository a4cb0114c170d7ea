"""migrations.yaml validation: the example is valid; each broken variant gives one located error, exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from consolidate.cli import app
from consolidate.core.config import load_config, parse_config
from consolidate.core.errors import ConfigError
from consolidate.demo import example_config_text

ROOT = Path(__file__).resolve().parents[2]


def test_root_example_is_the_packaged_example_and_valid() -> None:
    """The repo's migrations.yaml is the one `init` writes, and it validates."""
    assert (ROOT / "migrations.yaml").read_text(encoding="utf-8") == example_config_text()
    config = parse_config(example_config_text())
    assert [s.id for s in config.sites] == ["fgw", "jyj", "sfj"]
    assert config.programme.retention_cap == 0.10
    assert config.crawl_settings(config.site("sfj")).rate_per_host == 0.5
    assert config.crawl_settings(config.site("fgw")).rate_per_host == 1.0


def _replace(old: str, new: str) -> str:
    text = example_config_text()
    assert old in text, old
    return text.replace(old, new, 1)


def _line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


BROKEN = {
    "missing organiser": (lambda: _replace("    organiser: 临江市教育局\n", ""), "sites[1].organiser",
                          "  - id: jyj\n    name: 临江市教育局"),
    "bad type": (lambda: _replace("retention_cap: 0.10", "retention_cap: lots"), "programme.retention_cap",
                 "retention_cap:"),
    "unknown key": (lambda: _replace("    psb: 浙公网安备33108202000102号\n",
                                     "    psb: 浙公网安备33108202000102号\n    colour: red\n"),
                    "sites[1].colour", "colour: red"),
    "duplicate site id": (lambda: _replace("  - id: sfj", "  - id: jyj"), "sites[2].id", "  - id: jyj\n    name: 临江市司法局"),
    "unknown target column": (lambda: _replace("target: bszn,", "target: nowhere,"), "sites[2].mapping[0].target",
                              "target: nowhere"),
    "unknown subsite": (lambda: _replace("target: {subsite: jyj}", "target: {subsite: edu}"),
                        "sites[1].target.subsite", "target: {subsite: edu}"),
    "notice too short": (lambda: _replace("notice_period_days: 30", "notice_period_days: 10"),
                         "programme.notice_period_days", "notice_period_days"),
    "inline secret": (lambda: _replace("    dir: .consolidate/preview", "    dir: x\n    password: hunter2"),
                      "export.options", "  options:"),
    "bad site code": (lambda: _replace('site_code: "3310820002"', 'site_code: "12ab"'), "sites[1].site_code",
                      'site_code: "12ab"'),
    "bad regex": (lambda: _replace("exclude: ['/search/'", "exclude: ['/search/('"), "crawl.exclude",
                  "exclude:"),
    "bad date": (lambda: _replace("migration: 2026-12-15", "migration: 2026-13-45"),
                 "programme.deadlines.migration", "migration: 2026-13-45"),
    "drop rule with target": (lambda: _replace("decision: drop, reason: 空白", "decision: drop, target: fgw-gzdt, reason: 空白"),
                              "sites[0].mapping[1]", "{name: 人事信息"),
    "zero rate": (lambda: _replace("rate_per_host: 1.0 ", "rate_per_host: 0 "), "crawl.rate_per_host",
                  "rate_per_host: 0"),
    "zero concurrency": (lambda: _replace("concurrency_per_host: 2 ", "concurrency_per_host: 0 "),
                         "crawl.concurrency_per_host", "concurrency_per_host: 0"),
    "unknown disposition": (lambda: _replace("disposition: merge ", "disposition: keep "), "sites[2].disposition",
                            "disposition: keep"),
    "home url not http": (lambda: _replace("home_url: http://127.0.0.1:8702/", "home_url: ftp://127.0.0.1/"),
                          "sites[1].home_url", "home_url: ftp://"),
    "bad site id": (lambda: _replace("  - id: sfj", "  - id: SFJ bureau"), "sites[2].id", "  - id: SFJ bureau"),
    "duplicate column id": (lambda: _replace("{id: jyj-zsks, name: 招生考试", "{id: jyj-tzgg, name: 招生考试"),
                            "portal", "portal:"),
    "bad subsite path": (lambda: _replace("      path: jyj", "      path: /jyj/"), "portal.subsites[1].path",
                         "path: /jyj/"),
    "rule with two matchers": (lambda: _replace("{name: 法律服务, target", "{name: 法律服务, path: x, target"),
                               "sites[2].mapping[0]", "{name: 法律服务"),
    "rule without matcher": (lambda: _replace("{name: 法律服务, target", "{target"), "sites[2].mapping[0]",
                             "{target: bszn"),
    "migrate rule without target": (lambda: _replace("{name: 法律服务, target: bszn, ", "{name: 法律服务, "),
                                    "sites[2].mapping[0]", "{name: 法律服务"),
    "bad rule regex": (lambda: _replace("{name: 法律服务, target", "{name_regex: '法律(', target"),
                       "sites[2].mapping[0]", "{name_regex"),
    "timeout as text": (lambda: _replace("timeout: 20 ", "timeout: soon "), "crawl.timeout", "timeout: soon"),
    "retention cap over one": (lambda: _replace("retention_cap: 0.10", "retention_cap: 1.5"),
                               "programme.retention_cap", "retention_cap: 1.5"),
    "missing programme": (lambda: _replace("programme:\n  name:", "programmes:\n  name:"), "programme",
                          "programmes:"),
    "no sites": (lambda: example_config_text()[: example_config_text().index("\nsites:")] + "\nsites: []\n",
                 "sites", "sites: []"),
    "non-ascii user agent": (lambda: _replace('user_agent: "consolidate/0.1 (Linjiang',
                                              'user_agent: "consolidate/0.1 (临江'), "crawl.user_agent",
                             "user_agent:"),
    "contact without name": (lambda: _replace("contact: {name: 李华, phone", "contact: {phone"),
                             "sites[1].contact.name", "contact: {phone"),
    "unknown deadline": (lambda: _replace("deadlines: {migration: 2026-12-10}", "deadlines: {golive: 2026-12-10}"),
                         "sites[0].deadlines.golive", "deadlines: {golive"),
    "export options not a mapping": (lambda: _replace("  options:\n    dir: .consolidate/preview",
                                                      "  options: preview"), "export.options", "  options: preview"),
    "unknown exporter": (lambda: _replace("  exporter: static  ", "  exporter: drupal  "), "export.exporter",
                         "exporter: drupal"),
    "unknown exporter option": (lambda: _replace("    dir: .consolidate/preview", "    dri: preview"),
                                "export.options", "  options:"),
    "aliases as text": (lambda: _replace("    aliases: []", "    aliases: www.fgw.example"), "sites[0].aliases",
                        "aliases: www"),
}


def test_corpus_has_at_least_thirty_broken_files() -> None:
    """The corpus of broken migrations.yaml files stays at 30 or more (with the YAML syntax cases)."""
    assert len(BROKEN) + len(SYNTAX_CASES) >= 30


def test_a_target_written_as_a_word_gets_the_mapping_form_as_hint(tmp_path: Path) -> None:
    """`target: subsite` (a newcomer's reading of the README): the hint shows the {subsite: …} form."""
    path = tmp_path / "migrations.yaml"
    path.write_text(_replace("    target: {subsite: fgw}", "    target: subsite"), encoding="utf-8")
    result = CliRunner().invoke(app, ["status", "--config", str(path)])
    assert result.exit_code == 2 and "sites[0].target" in result.output
    assert "target: {subsite: <id in portal.subsites>}" in result.output


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_config_names_file_line_and_field(case: str, tmp_path: Path) -> None:
    """Each broken config: exit 2, one error with file:line and the field, and nothing written."""
    make, field, needle = BROKEN[case]
    text = make()
    path = tmp_path / "migrations.yaml"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(app, ["status", "--config", str(path)])
    assert result.exit_code == 2, result.output
    line = _line_of(text, needle)
    assert f"migrations.yaml:{line}: {field}" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / ".consolidate").exists()


SYNTAX_CASES = [
    ("programme: [unclosed\n", 2),
    ("programme:\n  name: a\n\tbad: tab\n", 3),
    ("programme:\n  name: a\n  name: b\n", 3),
    ("- just\n- a list\n", 1),
    ("", 1),
    ("programme:\n  name: 'unterminated\n", 3),
    ("a: b: c\n", 1),
]


@pytest.mark.parametrize("text, line", SYNTAX_CASES)
def test_yaml_syntax_errors_are_located(text: str, line: int, tmp_path: Path) -> None:
    """YAML that does not parse, or is not a mapping, gives file:line and exit 2."""
    path = tmp_path / "migrations.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert info.value.message.startswith(f"{path}:{line}:")
    result = CliRunner().invoke(app, ["status", "--config", str(path)])
    assert result.exit_code == 2


def test_missing_config_file_hints_init(tmp_path: Path) -> None:
    """No config: exit 2 with a hint to run init."""
    result = CliRunner().invoke(app, ["status", "--config", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 2
    assert "consolidate init" in result.output


def test_init_writes_the_example_and_refuses_to_overwrite(tmp_path: Path) -> None:
    """`init` scaffolds a valid config once; a second run needs --force."""
    path = tmp_path / "migrations.yaml"
    runner = CliRunner()
    assert runner.invoke(app, ["init", str(path)]).exit_code == 0
    assert load_config(path).config.sites
    again = runner.invoke(app, ["init", str(path)])
    assert again.exit_code == 1 and "--force" in again.output
