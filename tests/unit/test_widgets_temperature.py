"""TemperatureSampler driven from Python: controls -> generated text, chart, errors."""

import os

import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
keras = pytest.importorskip("keras")

from dlwp_widgets.text.sampling import reweight  # noqa: E402
from dlwp_widgets.widgets.temperature import TemperatureSampler, symbol_label  # noqa: E402

CHARS = list("abcdefgh .\n")


@pytest.fixture(scope="module")
def model():
    keras.utils.set_random_seed(5)
    built = keras.Sequential(
        [keras.Input((12, len(CHARS))), keras.layers.LSTM(16), keras.layers.Dense(len(CHARS), activation="softmax")]
    )
    built.set_weights([w * 3 for w in built.get_weights()])
    return built


def make(model, **kwargs):
    kwargs.setdefault("length", 60)
    kwargs.setdefault("background", False)  # each move generates in this thread
    return TemperatureSampler(model, CHARS, "a bad cafe. ", **kwargs)


def test_first_render_shows_text_distribution_and_chart(model):
    widget = make(model)
    assert widget.last_error is None
    assert len(widget.last_text) == 60 and set(widget.last_text) <= set(CHARS)
    expected = reweight(widget.sampler.distribution("a bad cafe. "), 0.5)
    assert np.allclose(widget.last_distribution, expected)
    assert bytes(widget.chart.value).startswith(b"\x89PNG")
    assert "a bad cafe." in widget.text.value and "60 characters" in widget.status.value


def test_moving_the_temperature_changes_text_and_distribution(model):
    widget = make(model, temperature=0.5)
    before_text, before_distribution = widget.last_text, widget.last_distribution
    widget.temperature.value = 1.5
    assert widget.last_text != before_text
    assert widget.last_distribution.max() < before_distribution.max()  # flatter
    widget.temperature.value = 0.0
    assert widget.last_distribution.max() == 1.0


def test_same_settings_same_text_and_regenerate_draws_a_new_one(model):
    widget = make(model, random_seed=3)
    again = make(model, random_seed=3)
    assert widget.last_text == again.last_text
    widget.regenerate.click()
    assert widget.random_seed.value == 4
    assert widget.last_text != again.last_text


def test_length_and_seed_controls(model):
    widget = make(model)
    widget.length.value = 25
    assert len(widget.last_text) == 25
    widget.seed_text.value = "head"
    assert "head" in widget.text.value
    assert np.allclose(widget.last_distribution, reweight(widget.sampler.distribution("head"), 0.5))


def test_bad_seeds_show_an_error_and_the_widget_recovers(model):
    widget = make(model)
    good_text = widget.last_text
    widget.seed_text.value = "Zebra"
    assert "does not know: 'Z', 'r'" in widget.last_error
    assert "does not know" in widget.error.value
    assert widget.last_text == good_text  # the last good result is kept...
    assert widget.text.value == "" and widget.chart.layout.display == "none"  # ...but not shown as if current
    widget.seed_text.value = ""
    assert "seed text is empty" in widget.last_error
    widget.seed_text.value = "bead"
    assert widget.last_error is None and widget.error.value == ""
    assert widget.text.value and widget.chart.layout.display is None


def test_random_seed_cannot_go_negative(model):
    widget = make(model)
    widget.random_seed.value = -5
    assert widget.random_seed.value == 0 and widget.last_error is None


def test_vocabulary_mismatch_is_shown_in_the_widget(model):
    widget = TemperatureSampler(model, CHARS[:-2], "abc")
    assert "model/vocabulary mismatch" in widget.last_error
    assert "mismatch" in widget.error.value
    widget.temperature.value = 1.0  # still responds, still explains
    assert "model/vocabulary mismatch" in widget.last_error


def test_window_context_is_available(model):
    widget = make(model, context="window")
    assert widget.sampler.context == "window" and widget.last_error is None


def test_invisible_characters_get_visible_labels():
    assert symbol_label(" ") != " " and symbol_label("\n") != "\n" and symbol_label("a") == "a"


def test_the_chart_is_redrawn_on_one_figure_and_only_its_changing_parts(model):
    widget = make(model, temperature=0.5)
    chart = widget._chart
    first = bytes(widget.chart.value)
    widget.temperature.value = 1.5
    assert widget._chart is chart and bytes(widget.chart.value) != first  # one Figure, new bars
    widget.temperature.value = 0.5
    assert bytes(widget.chart.value) == first  # the blitted bitmap holds nothing of the previous move
    assert [label.get_text() for label in chart.labels[: len(CHARS)]] == [
        symbol_label(CHARS[i]) for i in np.argsort(-widget.last_distribution, kind="stable")
    ]
    assert [label.get_text() for label in chart.labels[len(CHARS):]] == [""] * (len(chart.labels) - len(CHARS))


def test_length_and_random_seed_leave_the_chart_alone(model):
    widget = make(model, temperature=0.5)
    shown, text = widget.chart.value, widget.last_text
    widget.random_seed.value += 1
    widget.length.value = 30
    assert widget.chart.value is shown and widget.last_text != text and len(widget.last_text) == 30
    widget.temperature.value = 0.9
    assert widget.chart.value is not shown


def test_a_move_shows_the_chart_at_once_and_the_text_follows_in_the_background(model, monkeypatch):
    import threading
    import time

    from dlwp_widgets.text import generation

    widget = make(model, background=True, length=2000)
    first_text, first_chart = widget.last_text, bytes(widget.chart.value)
    assert len(first_text) == 2000 and not widget.running  # built synchronously
    release, real = threading.Event(), generation.CharSampler.generate

    def held(self, *args, **kwargs):
        release.wait(10)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(generation.CharSampler, "generate", held)
    started = time.perf_counter()
    widget.temperature.value = 1.2
    assert time.perf_counter() - started < 1.0 and widget.running
    assert bytes(widget.chart.value) != first_chart and widget.status.value == "generating..."
    widget.seed_text.value = ""  # a problem while the text is on its way: the message stays
    release.set()
    widget.wait(30)
    assert "empty" in widget.last_error and widget.text.value == "" and widget.last_text == first_text
    widget.seed_text.value = "a bad cafe. "
    widget.wait(30)
    assert widget.last_error is None and widget.last_text != first_text and "2000 characters" in widget.status.value


def test_generation_stops_between_characters_when_asked(model):
    from dlwp_widgets.text.generation import CharSampler

    sampler = CharSampler(model, CHARS, context="stateful")
    asked = []
    with pytest.raises(InterruptedError):
        sampler.generate("a bad cafe. ", 500, 0.5, 0, should_stop=lambda: asked.append(1) or len(asked) > 2)
    assert len(asked) == 3
