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


def test_book_changes_check_says_the_index_is_current(capsys):
    assert main(["book", "changes", "--check"]) == 0
    assert "docs/changes-from-the-book.md is up to date" in capsys.readouterr().out
