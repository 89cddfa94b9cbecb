"""Metric files a hostile tester made (issue 18: points 11, 13, 14, 17): every one refused at its place, none read in part."""

from __future__ import annotations

import errno
import pathlib

from test_metrics_read import project  # noqa: F401  (the fixture)

NPS = "- {id: nps, file: metrics/nps.csv, type: nps}\n"


def codes(problems) -> list[tuple]:
    return [(p.path, p.line, p.code) for p in problems]


def test_a_glob_character_in_file_reads_exactly_that_one_file(project, run_metrics):  # noqa: F811
    root = project(
        "- {id: csat, file: 'metrics/csat*.csv', type: csat}\n",
        {
            "content/metrics/csat*.csv": "date,score\n2026-01-01,5\n2026-01-02,4\n",
            "content/metrics/csat1.csv": "date,score\n" + "2026-01-03,1\n" * 5,
            "content/metrics/csat-old.csv": "date,score\n" + "2026-01-04,2\n" * 7,
        },
    )
    _, problems, fs, _ = run_metrics(root)
    assert codes(problems) == []
    assert [(f.period, f.n, f.value) for f in fs.select("csat", segment=None)] == [("all", 2, 100.0), ("2026-01", 2, 100.0)]


def test_a_file_through_a_folder_link_out_of_the_project_is_refused(project, run_metrics, tmp_path_factory):  # noqa: F811
    outside = tmp_path_factory.mktemp("elsewhere")
    (outside / "nps.csv").write_text("date,score\n2026-01-01,9\n", encoding="utf-8")
    root = project("- {id: nps, file: ext/nps.csv, type: nps}\n", {})
    (root / "content" / "ext").symlink_to(outside, target_is_directory=True)
    _, problems, fs, _ = run_metrics(root)
    assert ("site.yml", 4, "path-outside-project") in codes(problems)
    assert fs.select("nps") == []


def test_a_file_padded_with_nul_bytes_is_refused_at_the_padding(project, run_metrics):  # noqa: F811
    data = b"date,score\n2026-01-01,9\n2026-01-02,8\n" + b"\0" * 100_000 + b"\n2026-01-03,1\n"
    _, problems, fs, _ = run_metrics(project(NPS, {"content/metrics/nps.csv": data}))
    assert codes(problems) == [("content/metrics/nps.csv", 4, "csv-unreadable")]
    assert "NUL bytes" in problems.errors[0].message and fs.select("nps") == []


def test_a_last_line_too_long_to_be_a_row_is_refused_not_dropped(project, run_metrics):  # noqa: F811
    data = "date,score,note\n2026-01-01,9,ok\n2026-01-02,8," + "x" * 3_000_000
    _, problems, fs, _ = run_metrics(
        project("- {id: nps, file: metrics/nps.csv, type: nps}\n", {"content/metrics/nps.csv": data})
    )
    assert codes(problems) == [("content/metrics/nps.csv", 3, "csv-unreadable")]
    assert "last line is too long" in problems.errors[0].message and fs.select("nps") == []


def test_an_unreadable_metric_file_is_a_problem_not_an_internal_error(project, run_metrics, monkeypatch):  # noqa: F811
    root = project(NPS, {"content/metrics/nps.csv": "date,score\n2026-01-01,9\n"})
    real_open = pathlib.Path.open

    def refusing(self, *args, **kwargs):
        if self.name == "nps.csv":  # as a file of another user, mode 600, would (root reads everything)
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(pathlib.Path, "open", refusing)
    _, problems, fs, _ = run_metrics(root)
    assert codes(problems) == [("content/metrics/nps.csv", 0, "file-unreadable")]
    assert "Permission denied" in problems.errors[0].message and fs.select("nps") == []


def test_dates_outside_the_years_1900_to_2199_are_unreadable(project, run_metrics):  # noqa: F811
    data = "date,score\n2026-01-01,9\n-0001-01-01,9\n294247-01-10,9\n1899-12-31,9\n2199-12-31,9\n"
    _, problems, _, _ = run_metrics(project(NPS, {"content/metrics/nps.csv": data}))
    assert [(p.line, p.col, p.code) for p in problems] == [
        (3, 1, "csv-unreadable-date"),
        (4, 1, "csv-unreadable-date"),
        (5, 1, "csv-unreadable-date"),
    ]
    assert "1900 to 2199" in problems.errors[0].hint


def test_the_text_check_sees_a_character_cut_between_two_blocks(monkeypatch, tmp_path):
    from cxreport.metrics import files
    from cxreport.model import MetricSource
    from cxreport.problems import Problems

    monkeypatch.setattr(files, "BLOCK", 5)  # 'date,' | 'caf\xc3' | '\xa9\nok\n' ...: the é is cut, the next block ASCII
    source = MetricSource(id="nps", file="metrics/nps.csv", type="nps")
    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    good.write_bytes("date,café\nok,ok\n".encode())
    bad.write_bytes(b"date,caf\xc3ok,ok\nx\n")  # a lead byte followed by ASCII: not UTF-8
    problems = Problems()
    assert files.check_text(good, "good.csv", source, problems) and not problems.errors
    assert not files.check_text(bad, "bad.csv", source, problems)
    assert [(p.path, p.line, p.code) for p in problems] == [("bad.csv", 1, "csv-encoding")]


def test_a_row_added_with_other_line_ends_is_named_at_its_line(project, run_metrics):  # noqa: F811
    # a CRLF export (a line break inside a quoted header cell, which is text) with a row added by hand with LF
    data = b'date,"the\\nscore",seg\r\n2026-01-01,9,a\r\n2026-01-02,8,b\r\n2026-01-03,7,c\n'.replace(b"\\n", b"\n")
    root = project(
        "- {id: nps, file: metrics/nps.csv, type: nps, columns: {score: the score}}\n", {"content/metrics/nps.csv": data}
    )
    _, problems, _, _ = run_metrics(root)
    assert codes(problems) == [("content/metrics/nps.csv", 5, "csv-unreadable")]
    assert "mixes two kinds of line end" in problems.errors[0].message
