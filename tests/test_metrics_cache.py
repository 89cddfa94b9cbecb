"""The tally cache: an unchanged file is not read again; a changed, corrupt or foreign entry is rebuilt, never trusted."""

from __future__ import annotations

import hashlib
import os
import shutil
import time

import pytest
from helpers import located

from cxreport.fingerprints import Stamp
from cxreport.metrics.output import figures_json

SITE = "title: Test\nmetrics:\n  - {id: nps, file: metrics/nps.csv, type: nps, label: One}\n"
DATA = "date,touchpoint,score\n2026-01-05,ad,9\n2026-01-06,checkout,3\n2026-02-01,ad,10\n"


@pytest.fixture
def root(make_project):
    root = make_project({"site.yml": SITE, "content/metrics/nps.csv": DATA})
    age(root / "content/metrics/nps.csv")
    return root


def age(path, seconds: int = 3600) -> None:
    """Make a file look written an hour ago, as most data files are when a build runs."""
    past = time.time_ns() - seconds * 1_000_000_000
    os.utime(path, ns=(past, past))


def build(run_metrics, root, cache):
    _, problems, fs, data = run_metrics(root, cache)
    return located(problems), figures_json(fs), data.tables["nps"].cached if "nps" in data.tables else None


def test_second_build_takes_the_tally_from_the_cache(run_metrics, root, tmp_path):
    cache = root / ".cxreport-cache"
    first = build(run_metrics, root, cache)
    second = build(run_metrics, root, cache)
    assert first[2] is False and second[2] is True
    assert first[:2] == second[:2] and first[0] == []
    assert (cache / ".gitignore").read_text().splitlines()[-1] == "*"


def test_unchanged_old_file_is_not_hashed_again(run_metrics, root, monkeypatch):
    cache = root / ".cxreport-cache"
    build(run_metrics, root, cache)
    monkeypatch.setattr(hashlib, "file_digest", lambda *a, **k: pytest.fail("hashed an unchanged file"))
    assert build(run_metrics, root, cache)[2] is True


def test_a_changed_file_is_read_again(run_metrics, root):
    cache = root / ".cxreport-cache"
    build(run_metrics, root, cache)
    (root / "content/metrics/nps.csv").write_text(DATA + "2026-02-02,ad,0\n")
    _, text, cached = build(run_metrics, root, cache)
    assert cached is False and '"n": 4' in text


def test_a_change_within_the_same_second_and_size_is_seen(run_metrics, root):
    """A file hashed while younger than two seconds is hashed again: its time stamp cannot tell a change."""
    cache = root / ".cxreport-cache"
    path = root / "content/metrics/nps.csv"
    path.write_text(DATA)
    stamp = path.stat().st_mtime_ns
    build(run_metrics, root, cache)
    path.write_text(DATA.replace(",9\n", ",0\n"))  # same size
    os.utime(path, ns=(stamp, stamp))  # same time stamp
    _, text, cached = build(run_metrics, root, cache)
    assert cached is False and '"value": -33.3' in text  # scores 0, 3, 10


def test_a_new_declaration_is_read_again_but_a_new_label_is_not(run_metrics, root):
    cache = root / ".cxreport-cache"
    build(run_metrics, root, cache)
    (root / "site.yml").write_text(SITE.replace("One", "Two"))
    assert build(run_metrics, root, cache)[2] is True
    (root / "site.yml").write_text(SITE.replace("label: One", "period: quarter"))
    _, text, cached = build(run_metrics, root, cache)
    assert cached is False and '"period": "2026-Q1"' in text


@pytest.mark.parametrize("damage", ["garbage", "empty", "other rows", "meta gone", "meta of another key"])
def test_a_damaged_entry_is_rebuilt(run_metrics, root, damage):
    cache = root / ".cxreport-cache"
    expected = build(run_metrics, root, cache)[:2]
    (data,) = (cache / "tallies").glob("*.parquet")
    meta = data.with_suffix(".json")
    if damage == "garbage":
        data.write_bytes(b"PAR1 not really")
    elif damage == "empty":
        data.write_bytes(b"")
    elif damage == "other rows":
        meta.write_text(meta.read_text().replace('"rows": ', '"rows": 1'))
    elif damage == "meta gone":
        meta.unlink()
    else:
        meta.write_text(meta.read_text().replace('"key": "', '"key": "0'))
    problems, text, cached = build(run_metrics, root, cache)
    assert cached is False and (problems, text) == expected
    assert build(run_metrics, root, cache)[2] is True  # and stored again


def test_problems_of_a_cached_tally_are_still_found_at_their_lines(run_metrics, make_project):
    root = make_project({"site.yml": SITE, "content/metrics/nps.csv": DATA + "2026-02-02,chekout,7\n"})
    cache = root / ".cxreport-cache"
    first = build(run_metrics, root, cache)
    second = build(run_metrics, root, cache)
    assert second[2] is True
    assert first[0] == second[0] == [("content/metrics/nps.csv", 5, 2, "unknown touchpoint 'chekout' in column 'touchpoint'")]


def test_the_old_entry_of_a_file_is_removed(run_metrics, root):
    cache = root / ".cxreport-cache"
    build(run_metrics, root, cache)
    (root / "content/metrics/nps.csv").write_text(DATA + "2026-03-01,ad,8\n")
    build(run_metrics, root, cache)
    assert len(list((cache / "tallies").glob("*.parquet"))) == 1


def test_a_cp1252_file_is_cached_too(run_metrics, make_project):
    site = SITE.replace("label: One", "encoding: cp1252, columns: {segment: s}")
    root = make_project({"site.yml": site, "content/metrics/nps.csv": "date,s,score\n2026-01-05,caf\u00e9,9\n".encode("cp1252")})
    cache = root / ".cxreport-cache"
    first = build(run_metrics, root, cache)
    assert first[0] == [] and '"segment": "caf\u00e9"' in first[1]
    assert build(run_metrics, root, cache)[1:] == (first[1], True)


def test_a_file_the_build_hashed_already_is_not_hashed_again_for_the_cache(root, monkeypatch):
    from cxreport.incremental.record import fingerprint
    from cxreport.metrics.cache import TallyCache

    path = root / "content/metrics/nps.csv"
    [print_] = fingerprint({"content/metrics/nps.csv": path}).values()
    assert print_.sha == hashlib.sha256(path.read_bytes()).hexdigest()
    monkeypatch.setattr(hashlib, "file_digest", lambda *a, **k: pytest.fail("hashed a file the build hashed"))
    cache = TallyCache(root / ".cxreport-cache")
    assert cache.content_hash(path, print_) == print_.sha
    assert cache.content_hash(path) == print_.sha  # remembered in the cache's own record too


def test_a_fingerprint_taken_while_the_file_was_fresh_is_not_trusted(root):
    from cxreport.metrics.cache import TallyCache

    path = root / "content/metrics/nps.csv"
    st = path.stat()
    racy = Stamp(st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns, "0" * 64, st.st_mtime_ns + 1)  # hashed in the same tick
    other = Stamp(st.st_size, st.st_mtime_ns + 1, st.st_ino, st.st_ctime_ns, "0" * 64, time.time_ns())  # another stamp
    cache = TallyCache(root / ".cxreport-cache")
    for fp in (racy, other):
        assert cache.content_hash(path, fp) == hashlib.sha256(path.read_bytes()).hexdigest()
        shutil.rmtree(cache.folder / "files", ignore_errors=True)  # the next question starts without a remembered hash
