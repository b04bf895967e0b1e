"""The `dlwp` command line: data, doctor, listings, argument errors."""

import pytest

from dlwp_widgets.book.cli import main


def test_data_fetch_offline_says_what_to_do(offline_mirror, capsys):
    assert main(["data", "fetch", "mnist"]) == 1
    out = capsys.readouterr().out
    assert "mnist: Could not download mnist.npz" in out and "DLWP_DATA_DIR" in out


def test_data_fetch_unknown_dataset(capsys):
    assert main(["data", "fetch", "imagenet"]) == 2
    assert "Unknown dataset 'imagenet'" in capsys.readouterr().out


def test_data_list_shows_cache_state(capsys):
    assert main(["data", "list"]) == 0
    out = capsys.readouterr().out
    assert "mnist" in out and "not downloaded" in out


def test_book_listings(capsys):
    assert main(["book", "listings", "--chapter", "2"]) == 0
    out = capsys.readouterr().out
    assert "2.38  pseudo-code" in out and out.count("\n") == 42


def test_book_run_rejects_bad_arguments(capsys):
    with pytest.raises(SystemExit):
        main(["book", "run", "--chapters", "two"])
    assert main(["book", "run", "--chapters", "42"]) == 2
    with pytest.raises(SystemExit) as exit_info:  # an argparse error (exit 2), not a traceback
        main(["book", "run", "--chapters", "2", "--data-source", "web"])
    assert exit_info.value.code == 2 and "invalid choice: 'web'" in capsys.readouterr().err


def test_doctor_reports_every_area_with_fixes(capsys):
    pytest.importorskip("keras", reason="the doctor reports the Keras backend only where Keras imports")
    from dlwp_widgets.book.doctor import run_checks

    run_checks()
    out = capsys.readouterr().out
    for name in ("python", "tensorflow", "keras backend", "gpu", "data cache", "data: mnist", "environment"):
        assert f" {name}" in out
    assert "dlwp data fetch mnist" in out


def test_doctor_gives_a_fix_for_a_missing_package(monkeypatch, capsys):
    from dlwp_widgets.book import doctor

    real_version = doctor._version
    monkeypatch.setattr(doctor, "_version", lambda name: None if name == "papermill" else real_version(name))
    assert doctor.run_checks() == 1
    out = capsys.readouterr().out
    assert "!! papermill" in out and "fix: pip install" in out


@pytest.mark.parametrize(
    ("mode", "extra", "expected"),
    [("--smoke", [], 900.0), ("--full", [], None), ("--full", ["--timeout", "7200"], 7200.0)],
    ids=["smoke keeps 900 s", "full has no limit", "full with --timeout"],
)
def test_full_mode_has_no_per_notebook_timeout_unless_asked(monkeypatch, tmp_path, capsys, mode, extra, expected):
    """The book's settings outlast smoke mode's 900 s (3.6's 500-epoch K-fold on 2 cores; 5.2, 6.3, 8.1 on a GPU)."""
    import json

    from dlwp_widgets.book import runner

    seen = []
    monkeypatch.setattr(runner, "run_notebooks", lambda refs, options, progress: seen.append(options) or [])
    out = tmp_path / "run"
    assert main(["book", "run", mode, "--notebooks", "2.1", "--quiet", "--no-site", "--out", str(out), *extra]) == 0
    assert seen[0].timeout_s == expected
    assert json.loads((out / "results.json").read_text())["timeout_s"] == expected
    said = capsys.readouterr().out
    assert ("no timeout" in said) == (expected is None)


def test_merge_of_a_run_without_timeout_has_none():
    from dlwp_widgets.book.merge import _longest_timeout

    assert _longest_timeout([{"timeout_s": 900.0}, {"timeout_s": None}]) is None
    assert _longest_timeout([{"timeout_s": 900.0}, {"timeout_s": 10800}]) == 10800.0
    assert _longest_timeout([{"timeout_s": "soon"}, {}]) == 1.0  # a bad value falls back, never a traceback


def test_book_changes_check_says_the_index_is_current(capsys):
    assert main(["book", "changes", "--check"]) == 0
    assert "docs/changes-from-the-book.md is up to date" in capsys.readouterr().out
