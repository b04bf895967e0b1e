import pytest

from dlwp_widgets import config


def test_notebook_values_are_used_without_environment():
    settings = config.resolve(smoke=False, epochs=5, data_source="real", seed=3)
    assert (settings.smoke, settings.epochs, settings.data_source, settings.seed) == (False, 5, "real", 3)
    assert settings.mode == "full"


def test_smoke_mode_shrinks_epochs_but_remembers_the_books():
    settings = config.resolve(smoke=True, epochs=20, smoke_epochs=2)
    assert settings.epochs == 2
    assert settings.book_epochs == 20
    assert "the book: 20" in settings.describe()
    assert settings.pick(full=512, smoke=16) == 16


def test_our_own_experiments_claim_no_book_setting():
    settings = config.resolve(smoke=True, epochs=30, book=False)
    assert "the book:" not in settings.describe() and "our own experiment" in settings.describe()
    assert settings.epochs == 1 and settings.pick(full=30, smoke=8) == 8


def test_environment_overrides_the_parameters_cell(monkeypatch):
    monkeypatch.setenv("DLWP_SMOKE", "1")
    monkeypatch.setenv("DLWP_DATA_SOURCE", "standin")
    monkeypatch.setenv("DLWP_SEED", "7")
    settings = config.resolve(smoke=False, epochs=5, data_source="real", seed=0)
    assert settings.smoke and settings.epochs == 1
    assert settings.data_source == "standin" and settings.seed == 7


def test_explicit_epochs_from_environment_win_even_in_smoke_mode(monkeypatch):
    monkeypatch.setenv("DLWP_EPOCHS", "3")
    assert config.resolve(smoke=True, epochs=30).epochs == 3


def test_every_epoch_parameter_follows_the_same_switches(monkeypatch):
    run = config.resolve(smoke=False, epochs=20)
    assert run.epochs_for(40) == 40
    assert config.resolve(smoke=True, epochs=20).epochs_for(40) == 1
    monkeypatch.setenv("DLWP_EPOCHS", "3")
    assert config.resolve(smoke=False, epochs=20).epochs_for(40) == 3


@pytest.mark.parametrize(
    "name, value, message",
    [
        ("DLWP_SMOKE", "maybe", "not a yes/no value"),
        ("DLWP_EPOCHS", "ten", "not an integer"),
        ("DLWP_EPOCHS", "0", "at least 1"),
        ("DLWP_DATA_SOURCE", "internet", "Unknown data source"),
    ],
)
def test_bad_settings_say_what_is_wrong(monkeypatch, name, value, message):
    monkeypatch.setenv(name, value)
    with pytest.raises(config.SettingsError, match=message):
        config.resolve(epochs=5)


def test_setup_seeds_numpy_reproducibly(capsys):
    import numpy as np

    config.setup(seed=11, epochs=2, smoke=True)
    first = np.random.rand(3)
    config.setup(seed=11, epochs=2, smoke=True)
    assert np.array_equal(first, np.random.rand(3))
    banner = capsys.readouterr().out
    assert "run mode: smoke" in banner and "GPU" in banner


def test_configured_backend_follows_keras_order(tmp_path, monkeypatch):
    import json

    monkeypatch.delenv("KERAS_BACKEND", raising=False)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    assert config.configured_backend() == "tensorflow"  # no keras.json: Keras' default
    (tmp_path / "keras.json").write_text(json.dumps({"backend": "torch"}))
    assert config.configured_backend() == "torch"
    monkeypatch.setenv("KERAS_BACKEND", "jax")
    assert config.configured_backend() == "jax"  # the variable wins over the file


def test_install_summary_says_whether_the_runtime_tensorflow_was_kept():
    def item(name, version):
        return {"metadata": {"name": name, "version": version}}

    kept = {"install": [item("dlwp-companion", "0.2.0"), item("keras-tuner", "1.4.8")]}
    assert config.install_summary(kept) == "pip installed 2 other packages and kept the runtime's tensorflow, keras, numpy"
    replaced = {"install": [item("dlwp-companion", "0.2.0"), item("TensorFlow", "2.21.0")]}
    assert config.install_summary(replaced) == "pip installed 1 other package and replaced tensorflow 2.21.0"
