"""`dlwp book record`: real-data full runs -> reproduction records; the README and the site show the latest."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dlwp_widgets.book import records
from dlwp_widgets.book.cli import main

ENVIRONMENT = {"python": "3.11.7", "tensorflow": "2.21.0", "keras": "3.15.1", "numpy": "2.4.6",
               "platform": "Linux", "cpu_count": 2}
STEM = "2.1-a-first-look-at-a-neural-network"


def fake_run(run: Path, seed: int, accuracy: float, *, mode="full", source="real", status="passed", epochs=None,
             smoke_parameter=False, environment=ENVIRONMENT, lines=None, backend=None) -> Path:
    """A folder shaped like `dlwp book run --full`'s: results.json, the executed notebook, its records."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook, new_output

    setup = new_code_cell("run = config.setup(...)")
    setup.outputs = [new_output("stream", name="stdout", text=f"run mode: {mode} | seed: {seed}\n"
                                "GPU: none found, running on the CPU | TensorFlow 2.21.0, Keras 3.15.1\n")]
    notebook = new_notebook(cells=[setup])
    parameters = {"SMOKE": smoke_parameter or mode == "smoke", "DATA_SOURCE": source, "SEED": seed}
    if epochs is not None:
        parameters["EPOCHS"] = epochs
    notebook.metadata["papermill"] = {"parameters": parameters, "start_time": f"2026-12-04T03:0{seed}:00+00:00"}
    output = run / "notebooks" / "ch02" / f"{STEM}.ipynb"
    output.parent.mkdir(parents=True)
    nbformat.write(notebook, output)
    lines = lines or [{"data_source": "mnist", "source": source},
                      {"metric": "mnist_dense_test_accuracy", "value": accuracy, "baseline": 0.1135},
                      {"metric": "mnist_dense_epoch1_train_loss", "value": 0.26}]
    record_file = run / "records" / "ch02" / f"{STEM}.jsonl"
    record_file.parent.mkdir(parents=True)
    record_file.write_text("".join(json.dumps(line) + "\n" for line in lines))
    payload = {"mode": mode, "data_source": source, "seed": seed, "epochs": epochs, "wall_s": 40.0,
               "notebooks": [{"notebook": STEM, "source": f"chapters/ch02/{STEM}.py", "chapter": 2, "section": "2.1",
                              "status": status, "wall_s": 39.5, "output": f"notebooks/ch02/{STEM}.ipynb",
                              "log": "logs/x.log", "error": "" if status == "passed" else "ZeroDivisionError"}]}
    if environment is not None:
        payload["environment"] = environment
    if backend is not None:
        payload["keras_backend"] = backend
    (run / "results.json").write_text(json.dumps(payload))
    return run


def test_seeds_of_one_notebook_make_one_record_with_spread_checksums_and_versions(tmp_path, capsys):
    runs = [fake_run(tmp_path / f"s{seed}", seed, value) for seed, value in [(2, 0.980), (1, 0.978), (3, 0.982)]]
    out = tmp_path / "records"
    assert main(["book", "record", *map(str, runs), "--out", str(out), "--tolerances"]) == 0
    record = json.loads((out / "ch02" / f"{STEM}.json").read_text())
    assert record["seeds"] == [1, 2, 3] and record["mode"] == "full"
    accuracy = record["metrics"]["mnist_dense_test_accuracy"]
    assert accuracy["values"] == [0.978, 0.980, 0.982] and accuracy["n"] == 3
    assert accuracy["mean"] == pytest.approx(0.980) and accuracy["sd"] == pytest.approx(0.002)
    assert accuracy["baselines"] == [0.1135] * 3
    mnist = record["data"]["mnist"]
    assert mnist["source"] == "real"
    assert mnist["files"][0]["file"] == "mnist.npz" and mnist["files"][0]["algorithm"] == "sha256"
    assert mnist["files"][0]["checksum"] == "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
    assert record["environment"]["tensorflow"] == "2.21.0" and record["environment"]["cpu_count"] == 2
    assert record["device"] == "GPU: none found, running on the CPU"
    assert [run["wall_s"] for run in record["runs"]] == [39.5] * 3
    said = capsys.readouterr().out
    # |0.980 - 0.9785| + 3 * 0.002 = 0.0075
    assert "mnist_dense_test_accuracy: tolerance 0.0075" in said and "3 seeds (1, 2, 3), real mnist" in said


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"mode": "smoke"}, "is a smoke run"),
     ({"source": "standin"}, "used stand-in data for mnist"),
     ({"epochs": 2}, "ran with --epochs 2"),
     ({"smoke_parameter": True}, "did not run at the book's settings"),
     ({"status": "failed"}, "only a notebook that ran to its end"),
     ({"environment": None}, "does not say which versions and machine")],
    ids=["smoke", "stand-in", "epochs", "smoke parameter", "failed", "no environment"],
)
def test_a_run_that_is_not_the_book_on_real_data_is_refused(tmp_path, capsys, kwargs, message):
    good = fake_run(tmp_path / "good", 1, 0.98)
    bad = fake_run(tmp_path / "bad", 2, 0.98, **kwargs)
    out = tmp_path / "records"
    assert main(["book", "record", str(good), str(bad), "--out", str(out)]) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()  # every folder is checked before anything is written


def test_tolerance_never_finer_than_the_books_rounding():
    assert records.book_rounding("~0.71 (about 8 points below 64-64-46)", 0.71) == pytest.approx(0.005)
    assert records.book_rounding("97%", 0.97) == pytest.approx(0.005)
    assert records.book_rounding("0.9785", 0.9785) == pytest.approx(0.00005)
    tight = {"n": 5, "mean": 0.71, "sd": 0.0001}
    assert records.measured_tolerance(tight, 0.71, "~0.71") == pytest.approx(0.005)
    assert records.measured_tolerance({"n": 5, "mean": 0.98, "sd": 0.00101}, 0.9785, "0.9785") == 0.0046  # rounded up
    with pytest.raises(ValueError, match="at least two seeds"):
        records.measured_tolerance({"n": 1, "mean": 0.7, "sd": None}, 0.71, "0.71")


def test_rows_say_whether_every_seed_is_within_the_current_tolerance(tmp_path):
    runs = [fake_run(tmp_path / f"s{seed}", seed, value) for seed, value in [(1, 0.978), (2, 0.9), (3, 0.98)]]
    paths = records.record_runs(runs, tmp_path / "records")
    rows = records.record_rows(records.latest_records(tmp_path / "records"))
    accuracy = next(row for row in rows if row.metric == "mnist_dense_test_accuracy")
    assert accuracy.verdict.startswith("FAIL in 1 of 3 seeds: OUTSIDE the book's 0.9785")  # seed 2 is far off
    assert accuracy.seeds == 3 and accuracy.book == "0.9785"
    assert accuracy.data == "mnist (real)" and len(paths) == 1
    assert "mnist_dense_test_accuracy" in records.results_section(records.latest_records(tmp_path / "records"))


def test_the_readme_shows_the_committed_records():
    """The README's table is generated (`dlwp book record` rewrites it), never typed: it matches records/."""
    readme = Path(__file__).resolve().parents[2] / "README.md"
    text = readme.read_text(encoding="utf-8")
    committed = records.latest_records(readme.parent / records.RECORDS_FOLDER)
    block = text[text.index(records.README_START): text.index(records.README_END) + len(records.README_END)]
    assert block == records.readme_table(committed), "README.md is stale: `dlwp book record` (no run folder) rewrites its table"


def test_each_recorded_dataset_names_the_files_its_loader_verified():
    assert [f["file"] for f in records.dataset_checks("reuters")] == ["reuters.npz"]
    assert [f["file"] for f in records.dataset_checks("reuters_word_index")] == ["reuters_word_index.json"]
    assert [f["file"] for f in records.dataset_checks("boston_housing")] == ["boston_housing.npz"]
    assert all(f["checksum"] for f in records.dataset_checks("reuters") + records.dataset_checks("mnist"))


def test_without_run_folders_only_the_readme_table_is_rewritten(tmp_path, monkeypatch, capsys):
    root = tmp_path / "book"
    (root / "chapters").mkdir(parents=True)
    (root / "README.md").write_text(f"# Book\n\n{records.README_START}\nold\n{records.README_END}\n")
    records.record_runs([fake_run(tmp_path / "s1", 1, 0.979)], root / records.RECORDS_FOLDER)
    monkeypatch.setenv("DLWP_ROOT", str(root))
    assert main(["book", "record"]) == 0
    text = (root / "README.md").read_text()
    assert "| 2.1 | `mnist_dense_test_accuracy` | 0.979 | 0.9785 |" in text and "old" not in text
    assert main(["book", "record", "--out", str(tmp_path / "elsewhere")]) == 2
    assert "name the run folders" in capsys.readouterr().err


def test_provenance_is_per_metric_a_stand_in_experiment_is_left_out_and_named(tmp_path):
    """7.3's shape: a real MNIST experiment beside a stand-in IMDB one; a generated-data metric beside both."""
    lines = [{"data_source": "mnist", "source": "real"}, {"data_source": "imdb", "source": "standin"},
             {"metric": "mnist_dense_test_accuracy", "value": 0.979, "baseline": 0.1135, "datasets": {"mnist": "real"}},
             {"metric": "mnist_dense_train_accuracy", "value": 0.99, "datasets": {"mnist": "real", "imdb": "standin"}},
             {"metric": "mnist_dense_epoch1_train_loss", "value": 0.26, "datasets": {}}]
    runs = [fake_run(tmp_path / f"s{seed}", seed, 0, lines=lines, backend="jax") for seed in (1, 2)]
    [path] = records.record_runs(runs, tmp_path / "records")
    record = json.loads(path.read_text())
    assert sorted(record["metrics"]) == ["mnist_dense_epoch1_train_loss", "mnist_dense_test_accuracy"]
    assert record["left_out"] == ["mnist_dense_train_accuracy: stand-in imdb"]
    assert list(record["data"]) == ["mnist"]  # the stand-in's files are not cited as verified real data
    assert record["metrics"]["mnist_dense_epoch1_train_loss"]["datasets"] == []
    assert record["environment"]["keras_backend"] == "jax"
    rows = {row.metric: row for row in records.record_rows([record])}
    assert rows["mnist_dense_test_accuracy"].data == "mnist (real)" and rows["mnist_dense_test_accuracy"].verdict == "pass"
    assert rows["mnist_dense_epoch1_train_loss"].data == "generated in the notebook"
    assert rows["mnist_dense_test_accuracy"].recorded.endswith("(jax)")


def test_a_run_whose_every_experiment_used_a_stand_in_is_refused(tmp_path, capsys):
    lines = [{"data_source": "mnist", "source": "standin"},
             {"metric": "mnist_dense_test_accuracy", "value": 0.98, "datasets": {"mnist": "standin"}}]
    run = fake_run(tmp_path / "s1", 1, 0, lines=lines)
    assert main(["book", "record", str(run), "--out", str(tmp_path / "records")]) == 2
    assert "used stand-in data for mnist in every experiment" in capsys.readouterr().err


def test_a_records_claim_is_judged_as_the_notebook_judges_it(tmp_path):
    """A target with no book figure but a claim (3.5's bottleneck below the 64-unit model) fails in the table too."""
    from dlwp_widgets.book.catalog import targets

    name, target = next((name, t) for name, t in targets().items() if t.claim is not None and t.book is None
                        and isinstance(t.claim.than, (int, float)))
    good = target.claim.bound(target.claim.than) + (1 if target.claim.relation in (">", ">=") else -1)
    bad = target.claim.bound(target.claim.than) - (1 if target.claim.relation in (">", ">=") else -1)
    record = {"notebook": "x-test", "chapter": 9, "section": "9.2", "recorded": "2026-12-06", "seeds": [0, 1],
              "data": {}, "environment": ENVIRONMENT,
              "metrics": {name: {"n": 2, "mean": good, "sd": 0.0, "values": [good, bad], "datasets": []}}}
    [row] = records.record_rows([record])
    assert row.verdict.startswith("FAIL in 1 of 2 seeds: claim FAILS")


def test_the_table_names_each_metrics_baseline_and_which_way_it_must_go(tmp_path):
    """4.2's protocols have no book figure: the only check is their baseline, which the table must show."""
    runs = [fake_run(tmp_path / f"s{seed}", seed, 0.979) for seed in (1, 2)]
    records.record_runs(runs, tmp_path / "records")
    rows = {row.metric: row for row in records.record_rows(records.latest_records(tmp_path / "records"))}
    assert rows["mnist_dense_test_accuracy"].tolerance == "±0.0051; must beat its baseline 0.1135"
    assert "baseline" not in rows["mnist_dense_epoch1_train_loss"].tolerance  # it records none

    from dlwp_widgets.book.catalog import targets

    name = next(name for name, t in targets().items() if not t.baseline_beaten)
    record = {"notebook": "x-test", "chapter": 6, "section": "6.3", "recorded": "2026-12-06", "seeds": [0],
              "data": {}, "environment": ENVIRONMENT,
              "metrics": {name: {"n": 1, "mean": 1.0, "sd": None, "values": [1.0], "datasets": [],
                                 "baselines": [0.5]}}}
    [row] = records.record_rows([record])
    assert row.tolerance.endswith("must not beat its baseline 0.5")
