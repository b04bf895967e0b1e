"""The verdict can fail: each way a result can contradict the book (or our claim) is a failing row.

These rows are what tests/notebooks (the smoke book) and tests/realdata (the book's
settings on real data) fail on, through ``comparison.failures``.
"""

from dataclasses import replace

import pytest

from dlwp_widgets.book import catalog, comparison
from dlwp_widgets.book.catalog import Claim, Precondition
from dlwp_widgets.book.comparison import compare, failures

REAL_FULL = {"datasets": {"mnist": "real"}, "mode": "full"}


def _row(metric, value, **extra):
    (row,) = compare([{"metric": metric, "value": value, **extra}], {})
    return row


def test_a_contradicted_not_beaten_claim_fails():
    # The book: the reversed GRU does NOT beat the common-sense baseline (MAE, lower is better).
    row = _row("jena_reversed_gru_val_mae", 0.20, baseline=0.29, datasets={"jena_climate": "standin"}, mode="smoke")
    assert row.baseline_as_claimed is False and row.status == "fail"
    assert failures([row]) and "beaten, though the book says it is not" in row.baseline
    assert _row("jena_reversed_gru_val_mae", 0.40, baseline=0.29).status != "fail"


def test_a_contradicted_beaten_claim_fails():
    row = _row("mnist_dense_test_accuracy", 0.05, baseline=0.11, datasets={"mnist": "standin"}, mode="smoke")
    assert row.baseline_as_claimed is False and row.failed


def test_a_real_data_full_mode_value_outside_its_tolerance_fails():
    target = catalog.targets()["mnist_dense_test_accuracy"]
    inside, outside = target.book + target.tolerance / 2, target.book - 2 * target.tolerance
    assert _row("mnist_dense_test_accuracy", inside, **REAL_FULL).status == "pass"
    row = _row("mnist_dense_test_accuracy", outside, **REAL_FULL)
    assert row.within_tolerance is False and row.failed and "OUTSIDE" in row.reason


def test_a_value_is_compared_with_the_book_only_on_real_data_at_the_books_settings():
    far = 0.5
    smoke = _row("mnist_dense_test_accuracy", far, datasets={"mnist": "real"}, mode="smoke")
    standin = _row("mnist_dense_test_accuracy", far, datasets={"mnist": "standin"}, mode="full")
    for row in (smoke, standin):
        assert row.within_tolerance is None and row.status == "not comparable" and not failures([row])


def test_each_metric_is_judged_on_its_own_experiments_data():
    # 6.1: the learned-embedding experiment ran on real reviews; another experiment of the notebook used
    # stand-in GloVe vectors. The first metric is still compared with the book.
    entries = [
        {"metric": "imdb_embedding_val_accuracy", "value": 0.30, "datasets": {"imdb": "real"}, "mode": "full"},
        {"metric": "glove_val_accuracy", "value": 0.30, "datasets": {"aclimdb": "real", "glove": "standin"},
         "mode": "full"},
    ]
    own, mixed = compare(entries, {"imdb": "real", "aclimdb": "real", "glove": "standin"})
    assert own.data == "real" and own.within_tolerance is False and own.failed
    assert mixed.data == "mixed" and mixed.within_tolerance is None


def test_a_target_its_notebook_did_not_record_fails():
    rows = compare([], {"mnist": "real"}, notebook="2.1-a-first-look-at-a-neural-network")
    missing = {row.metric for row in rows if row.failed}
    assert "mnist_dense_test_accuracy" in missing
    # On stand-in data a metric that needs the real data or weights is a recorded miss, not a failure.
    (elephant, *_) = [row for row in compare([], {"vgg16_imagenet_weights": "standin"},
                                             notebook="5.4-visualizing-what-convnets-learn")
                      if row.metric == "vgg16_elephant_class_index"]
    assert elephant.status == "unmet" and "needs the real one" in elephant.reason


@pytest.fixture
def patched_target(monkeypatch):
    """Replace one target's claim fields for a test (the catalog's targets are cached)."""
    known = dict(catalog.targets())

    def patch(metric, **fields):
        known[metric] = replace(known[metric], **fields)
        monkeypatch.setattr(comparison, "targets", lambda: known)

    return patch


def test_a_claim_relation_that_does_not_hold_fails_and_one_that_holds_passes(patched_target):
    # e.g. the x^2 fit: the error outside the training range at least 10x the error inside.
    patched_target("extrapolation_square_rmse_outside",
                   claim=Claim(relation=">=", than="extrapolation_square_rmse_inside", factor=10.0))
    inside = {"metric": "extrapolation_square_rmse_inside", "value": 0.1}
    ok = compare([inside, {"metric": "extrapolation_square_rmse_outside", "value": 2.0}], {})[1]
    bad = compare([inside, {"metric": "extrapolation_square_rmse_outside", "value": 0.5}], {})[1]
    assert ok.claim_holds is True and ok.status == "pass"
    assert bad.claim_holds is False and bad.failed and "claim FAILS" in bad.reason


def test_a_claim_whose_precondition_failed_is_a_recorded_miss_not_a_pass(patched_target):
    patched_target("sorting_exact_match_length_12", claim=Claim(relation="<=", than=0.1),
                   preconditions=(Precondition(relation=">=", than=0.9, metric="sorting_exact_match_length_5"),))
    rows = compare([{"metric": "sorting_exact_match_length_5", "value": 0.0},
                    {"metric": "sorting_exact_match_length_12", "value": 0.0}], {})
    assert rows[1].status == "unmet" and "precondition not met" in rows[1].reason
    assert rows[1].claim_holds is None and not failures(rows[1:])


def test_a_claim_checked_only_at_the_books_settings_waits_for_full_mode(patched_target):
    patched_target("glove_val_accuracy",
                   claim=Claim(relation=">", than="no_glove_val_accuracy", margin=0.02, mode="full", data="real"))
    entries = [{"metric": "no_glove_val_accuracy", "value": 0.6, "datasets": {"aclimdb": "real"}, "mode": "smoke"},
               {"metric": "glove_val_accuracy", "value": 0.5, "datasets": {"aclimdb": "real"}, "mode": "smoke"}]
    assert compare(entries, {})[1].claim_holds is None
    full = [{**entry, "mode": "full"} for entry in entries]
    assert compare(full, {})[1].failed


def test_an_illustration_is_never_shown_as_a_pass():
    assert catalog.targets()["gan_frogs_final_generator_loss"].illustration
    row = _row("gan_frogs_final_generator_loss", 3.0)
    assert row.status == "illustration" and row.verdict == "illustration"


def test_every_target_of_chapters_2_to_8_can_fail_or_says_it_is_an_illustration():
    """A check a wrong result fails: a book figure with a tolerance, a baseline, a claim; else an illustration."""
    import ast

    recorded_with_baseline = set()
    for source in __import__("pathlib").Path(__file__).resolve().parents[2].glob("chapters/ch0[2-8]_*/*.py"):
        for call in ast.walk(ast.parse(source.read_text())):
            if (isinstance(call, ast.Call) and getattr(call.func, "id", "") == "record" and call.args
                    and isinstance(call.args[0], ast.Constant) and any(k.arg == "baseline" for k in call.keywords)):
                recorded_with_baseline.add(call.args[0].value)
    unable = [t.metric for t in catalog.targets().values()
              if t.listing and t.tolerance is None and t.claim is None and not t.illustration
              and t.metric not in recorded_with_baseline]
    assert not unable, f"targets no result can fail: {unable}"


def test_claims_in_the_targets_files_parse_and_name_recorded_metrics():
    known = catalog.targets()
    for target in known.values():
        for relation in [target.claim, *target.preconditions]:
            if relation is not None and isinstance(relation.than, str) and relation.than != "baseline":
                assert relation.than in known, f"{target.metric}: claim names unknown metric {relation.than}"
        for pre in target.preconditions:
            assert pre.metric in known, f"{target.metric}: precondition names unknown metric {pre.metric}"


def test_a_bad_claim_in_a_targets_file_is_refused():
    with pytest.raises(ValueError, match="relation"):
        catalog._claim({"relation": "~", "than": 1}, "ch99.json: m")
    with pytest.raises(ValueError, match="mode"):
        catalog._claim({"relation": ">", "than": 1, "mode": "sometimes"}, "ch99.json: m")


def test_the_notebook_table_is_html_that_wraps_and_text_that_aligns():
    rows = compare([{"metric": "mnist_dense_test_accuracy", "value": 0.5, **REAL_FULL}], {})
    table = comparison.VerdictTable(rows)
    assert "<table" in table._repr_html_() and "width:100%" in table._repr_html_()
    assert "fail" in repr(table).splitlines()[2]


def test_the_last_cell_shows_the_table_and_echoes_no_list(monkeypatch, capsys):
    from dlwp_widgets import recording

    for name in ("_data_sources", "_metrics", "_run"):
        monkeypatch.setattr(recording, name, {})
    monkeypatch.delenv("DLWP_RECORD_FILE", raising=False)
    recording.record_run(mode="full", seed=0, backend="tensorflow")
    recording.record_data_source("mnist", "real")
    recording.record("mnist_dense_test_accuracy", 0.5)
    assert comparison.against_the_book() is None
    out = capsys.readouterr().out
    assert "1 FAILED" in out and "mode: full" in out
    assert comparison.this_notebooks_rows()[0].failed
