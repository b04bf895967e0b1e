"""The command line refuses bad arguments with a message (exit 2), never a traceback."""

import os
import subprocess
import sys

import pytest

from dlwp_widgets.book.cli import main


@pytest.mark.parametrize(
    "arguments, message",
    [
        (["--data-source", "bogus"], "invalid choice: 'bogus'"),
        (["--timeout", "-5"], "positive number of seconds"),
        (["--timeout", "nan"], "positive number of seconds"),
        (["--jobs", "0"], "at least 1"),
        (["--seed", "-1"], "at least 0"),
        (["--epochs", "0"], "at least 1"),
    ],
)
def test_book_run_refuses_bad_values(arguments, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["book", "run", *arguments])
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_out_naming_a_file_is_refused(tmp_path, capsys):
    a_file = tmp_path / "report.txt"
    a_file.write_text("x")
    with pytest.raises(SystemExit):
        main(["book", "run", "--out", str(a_file)])
    assert "is not a folder" in capsys.readouterr().err


def test_listings_of_an_unknown_chapter_fail_with_a_message(capsys):
    assert main(["book", "listings", "--chapter", "42"]) == 2
    assert "no listings for chapter 42" in capsys.readouterr().err


def test_a_bad_seed_in_the_environment_is_a_settings_error_not_a_keras_error(monkeypatch):
    from dlwp_widgets import config

    monkeypatch.setenv("DLWP_SEED", "-1")
    with pytest.raises(config.SettingsError, match="DLWP_SEED=-1 is out of range"):
        config.resolve()
    monkeypatch.setenv("DLWP_SEED", str(2**32))
    with pytest.raises(config.SettingsError, match="out of range"):
        config.resolve()
    monkeypatch.delenv("DLWP_SEED")
    with pytest.raises(config.SettingsError, match="SEED=1.5 is not a whole number"):
        config.resolve(seed=1.5)


def test_listings_piped_into_head_end_quietly():
    """`dlwp book listings | head`: the closed pipe is no BrokenPipeError traceback.

    The reader here (`true`) exits before Python starts, so every write meets a closed pipe.
    """
    command = f"{sys.executable} -m dlwp_widgets.book.cli book listings | true"
    result = subprocess.run(["bash", "-o", "pipefail", "-c", command], capture_output=True, text=True,
                            env=dict(os.environ, PYTHONUNBUFFERED="0"))
    assert "Traceback" not in result.stderr and "BrokenPipeError" not in result.stderr, result.stderr
    assert result.returncode == 0
