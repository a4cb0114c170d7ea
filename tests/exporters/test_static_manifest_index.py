"""The static preview's manifest kept on disk: read and written in the same bytes, listed in a dict's order."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from exporters.manifest_index import (
    DiskSection,
    ScratchIndex,
    manifest_chunks,
    read_manifest,
    write_chunks_if_changed,
)

TITLES = ["通知", "关于印发《办法》的通知", "", None, "a\nb \"quoted\" \\ 𠀀", "同名"]
DATES = ["2024-01-02T10:00:00", "2024-01-02", "", None, "2023-12-31T23:59:59", "2024-01-02T10:00:00"]


def _entry(rng: random.Random, number: int) -> dict:
    return {"path": f"portal/c{number % 5}/{number:012x}.html", "title": rng.choice(TITLES),
            "published": rng.choice(DATES), "column": f"column:s:c{rng.randrange(4)}", "site_name": "某局",
            "size": rng.choice([0, 12, 3.5, None]), "names": rng.choice([[], ["一", "二"], [1, [2, {}]]])}


def _manifest(rng: random.Random, articles: int) -> dict:
    return {"articles": {f"article:s:{rng.getrandbits(64):016x}": _entry(rng, n) for n in range(articles)},
            "columns": {f"column:s:c{n}": {"names": ["栏目", str(n)], "parent": None} for n in range(rng.randrange(3))},
            "files": {}, "letters": {"letter:x": {"site": "s", "title": "问"}} if rng.random() < 0.5 else {}}


def _on_disk(manifest: dict, index: ScratchIndex) -> dict:
    sections = {}
    for name, section in manifest.items():
        if name in ("articles", "files"):
            sections[name] = DiskSection(index, name)
            sections[name].put_many(section.items())
        else:
            sections[name] = section
    return sections


@pytest.mark.parametrize("seed", range(12))
def test_written_bytes_equal_json_dumps(seed: int) -> None:
    """The manifest streamed from disk is byte for byte what json.dumps(indent=1, sort_keys=True) writes."""
    rng = random.Random(seed)
    manifest = _manifest(rng, rng.choice([0, 1, 7, 300]))
    index = ScratchIndex()
    try:
        text = "".join(manifest_chunks(_on_disk(manifest, index)))
    finally:
        index.close()
    assert text == json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True)


@pytest.mark.parametrize("seed", range(6))
def test_read_back_entry_by_entry(tmp_path: Path, seed: int) -> None:
    """A manifest file read a value at a time (across buffer ends) gives what json.loads gives, in its order."""
    rng = random.Random(seed)
    manifest = _manifest(rng, 2500)
    path = tmp_path / "m.json"
    path.write_text(json.dumps(manifest, ensure_ascii=False, indent=rng.choice([None, 1, 3])), encoding="utf-8")
    read = {}
    for name, section in read_manifest(path):
        read[name] = dict(section)
    assert read == json.loads(path.read_text(encoding="utf-8"))
    assert [list(s) for s in read.values()] == [list(s) for s in manifest.values()]


def test_a_broken_manifest_is_an_error(tmp_path: Path) -> None:
    """A manifest cut short is a JSON error, never a silent partial read."""
    path = tmp_path / "m.json"
    path.write_text(json.dumps({"articles": {"a": {"x": 1}, "b": {"y": 2}}})[:-5], encoding="utf-8")
    with pytest.raises(json.JSONDecodeError):
        for _name, section in read_manifest(path):
            list(section)


def test_listing_orders_as_a_dict_sorted_newest_first() -> None:
    """Column listings and the latest articles come in the order sorted(dict.values(), reverse=True) gives,
    ties in the dict's order: an update keeps an entry's place, a removed and re-added one goes last."""
    rng = random.Random(7)
    index = ScratchIndex()
    try:
        section, plain = DiskSection(index, "articles"), {}
        for step in range(3000):
            key = f"k{rng.randrange(900)}"
            if rng.random() < 0.15:
                assert section.pop(key, None) == plain.pop(key, None)
            else:
                entry = {"column": f"c{rng.randrange(3)}", "title": rng.choice(TITLES[:4]),
                         "published": rng.choice(DATES), "n": step}
                section[key] = entry
                plain[key] = entry
        assert len(section) == len(plain)
        assert all(section[key] == value for key, value in plain.items())
        for column in ("c0", "c1", "c2", "none"):
            expected = sorted((a for a in plain.values() if a["column"] == column),
                              key=lambda a: (a["published"] or "", a["title"] or ""), reverse=True)
            assert list(section.listing(column)) == expected
        assert section.latest(None, 30) == sorted(plain.values(), key=lambda a: a["published"] or "",
                                                  reverse=True)[:30]
        assert section.latest(["c1"], 30) == sorted((a for a in plain.values() if a["column"] == "c1"),
                                                    key=lambda a: a["published"] or "", reverse=True)[:30]
        assert section.counts() == {c: sum(1 for a in plain.values() if a["column"] == c) for c in ("c0", "c1", "c2")}
    finally:
        index.close()


def test_unchanged_manifest_is_not_rewritten(tmp_path: Path) -> None:
    """Writing the same content leaves the file (and its time) alone; other content replaces it whole."""
    path = tmp_path / "m.json"
    assert write_chunks_if_changed(path, lambda: iter(["{", "}"]))
    before = path.stat().st_mtime_ns
    assert not write_chunks_if_changed(path, lambda: iter(["{}"]))
    assert path.stat().st_mtime_ns == before
    assert write_chunks_if_changed(path, lambda: iter(["{", "}", "\n"]))
    assert path.read_text() == "{}\n"
    assert not write_chunks_if_changed(path, lambda: iter(["{}\n"]))
    assert write_chunks_if_changed(path, lambda: iter(["{}"]))  # shorter: a prefix is not the same file
    assert path.read_text() == "{}"
