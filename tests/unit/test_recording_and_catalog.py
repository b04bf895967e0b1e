import json

import pytest

from dlwp_widgets import recording
from dlwp_widgets.book import catalog


@pytest.fixture
def fresh_recording(monkeypatch):
    """An empty record state, as at the start of a notebook."""
    for name in ("_data_sources", "_metrics", "_run"):
        monkeypatch.setattr(recording, name, {})


def test_record_appends_to_the_runners_file(tmp_path, monkeypatch, fresh_recording):
    path = tmp_path / "records.jsonl"
    monkeypatch.setenv("DLWP_RECORD_FILE", str(path))
    recording.record_run(mode="full", seed=3, backend="tensorflow")
    recording.record_data_source("glove", "standin")
    recording.record("some_accuracy", 0.5, baseline=0.25)
    recording.record_data_source("mnist", "real")
    recording.record("real_accuracy", 0.75, datasets=["mnist"])
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert lines == [
        {"run": {"mode": "full", "seed": 3, "backend": "tensorflow"}},
        {"data_source": "glove", "source": "standin"},
        {"metric": "some_accuracy", "value": 0.5, "baseline": 0.25, "datasets": {"glove": "standin"}, "mode": "full"},
        {"data_source": "mnist", "source": "real"},
        {"metric": "real_accuracy", "value": 0.75, "datasets": {"mnist": "real"}, "mode": "full"},
    ]
    assert recording.metrics()[-1]["metric"] == "real_accuracy"


def test_record_refuses_a_dataset_the_notebook_did_not_load(fresh_recording):
    with pytest.raises(ValueError, match="imdb was not loaded"):
        recording.record("accuracy", 0.5, datasets=["imdb"])


def test_an_experiment_mixing_real_and_standin_data_is_named(monkeypatch):
    monkeypatch.setattr(recording, "_data_sources", {"aclimdb": "real", "glove": "standin", "imdb": "real"})
    notice = recording.mixed_sources(["aclimdb", "glove"], "the GloVe model")
    assert "the GloVe model mixes real and stand-in data" in notice and "glove: STAND-IN" in notice
    assert recording.mixed_sources(["aclimdb", "imdb", "cifar10"], "x") is None


def test_record_accepts_numpy_scalars_and_rejects_nonsense():
    import numpy as np

    assert recording.record("numpy_value", np.float32(0.25)) == 0.25
    with pytest.raises(TypeError, match="needs a number"):
        recording.record("text", "high")
    with pytest.raises(ValueError, match="not finite"):
        recording.record("diverged", float("nan"))


def test_catalog_holds_every_listing_of_the_book():
    counts = {number: len(catalog.listings(number)) for number in range(2, 9)}
    assert counts == {2: 42, 3: 63, 4: 13, 5: 60, 6: 56, 7: 34, 8: 35}
    assert catalog.listing("2.42").heading == "Listing 2.42 — The training loop"
    assert catalog.listing("2.38").kind == "pseudo-code"
    assert sum(item.runnable for item in catalog.listings(2)) == 41


def test_every_target_names_a_real_listing_and_a_sensible_tolerance():
    for target in catalog.targets().values():
        if target.listing:  # experiments of our own (chapter 9) belong to no listing
            catalog.listing(target.listing)
        assert (target.book is None) == (target.tolerance is None) or target.tolerance is None
        if target.book is None:
            assert target.book_text, f"{target.metric}: a qualitative target needs the book's words"
