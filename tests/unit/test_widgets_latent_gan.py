"""LatentExplorer and GANTimeline driven from Python with tiny models, bad inputs included; viz.latent."""

import math

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from dlwp_widgets.models import generative as gen  # noqa: E402
from dlwp_widgets.viz import latent  # noqa: E402
from dlwp_widgets.widgets.gan_timeline import GANTimeline  # noqa: E402
from dlwp_widgets.widgets.latent_explorer import LatentExplorer  # noqa: E402


def tiny_decoder(latent_dim=2, size=6):
    keras.utils.set_random_seed(0)
    inputs = keras.Input((latent_dim,))
    x = keras.layers.Dense(size * size, activation="sigmoid")(inputs)
    return keras.Model(inputs, keras.layers.Reshape((size, size, 1))(x), name="tiny_decoder")


def tiny_encoder(size=6):
    inputs = keras.Input((size, size, 1))
    x = keras.layers.Flatten()(inputs)
    return keras.Model(inputs, [keras.layers.Dense(2)(x), keras.layers.Dense(2)(x)], name="tiny_encoder")


# --------------------------------------------------------------------------- viz.latent


def test_grid_points_follow_the_books_order():
    points = latent.grid_points(3)
    axis = latent.gaussian_grid(3)
    assert points.shape == (9, 2)
    np.testing.assert_allclose(points[1], [axis[1], axis[0]], rtol=1e-6)  # row 0, column 1: x varies along a row
    np.testing.assert_allclose(points[3], [axis[0], axis[1]], rtol=1e-6)


def test_one_batch_grid_equals_the_books_per_cell_grid():
    decoder = tiny_decoder()
    fast = latent.decode_grid(decoder, 4)
    book = latent.decode_grid_per_cell(decoder, 4, batch_size=2)
    assert fast.shape == (24, 24)
    np.testing.assert_allclose(fast, book, atol=1e-6)


def test_decode_points_refuses_bad_points_and_sizes():
    decoder = tiny_decoder()
    with pytest.raises(latent.LatentError, match="finite"):
        latent.decode_points(decoder, [[math.nan, 0.0]])
    with pytest.raises(latent.LatentError, match="2-dimensional latent points"):
        latent.decode_points(decoder, [[0.0, 0.0, 0.0]])
    with pytest.raises(latent.LatentError, match="must be numbers"):
        latent.decode_points(decoder, [["a", object()]])


def test_encode_means_reports_progress_and_stops():
    encoder = tiny_encoder()
    images = np.zeros((10, 6, 6), "float32")
    seen = []
    means = latent.encode_means(encoder, images, batch_size=4, progress=lambda done, total: seen.append(done))
    assert means.shape == (10, 2) and seen == [4, 8, 10]
    stopped = latent.encode_means(encoder, images, batch_size=4, should_stop=lambda: True)
    assert stopped.shape == (0, 2)


def test_sample_grid_pads_to_a_rectangle():
    images = np.full((5, 2, 2, 3), 7, np.uint8)
    grid = latent.sample_grid(images)
    assert grid.shape == (4, 6, 3) and grid[2:, 4:].max() == 0 and grid[2:, 2:4].min() == 7
    with pytest.raises(latent.LatentError, match="No samples"):
        latent.sample_grid(np.zeros((0, 2, 2, 3), np.uint8))


# --------------------------------------------------------------------------- LatentExplorer


def test_explorer_decodes_the_sliders_point():
    decoder = tiny_decoder()
    explorer = LatentExplorer(decoder)
    explorer.z0.value, explorer.z1.value = 1.0, -0.5
    assert explorer.last_error is None and explorer.last_point == (1.0, -0.5)
    np.testing.assert_allclose(explorer.last_image, latent.decode_points(decoder, [[1.0, -0.5]])[0], atol=1e-6)
    assert explorer.digit.value[:4] == b"\x89PNG"


def test_explorer_grid_view_and_latent_plane():
    rng = np.random.default_rng(0)
    explorer = LatentExplorer(
        tiny_decoder(), encoder=tiny_encoder(), images=rng.uniform(0, 1, (30, 6, 6)), labels=np.arange(30) % 10, grid_size=5
    )
    explorer.wait(60)  # encoded in the background
    assert explorer.encoded.shape == (30, 2) and explorer.progress.value == 30 and explorer.plane.layout.display is None
    explorer.view.value = "grid"
    assert explorer.last_grid.shape == (30, 30) and explorer.grid.layout.display is None
    assert explorer.plane.value[:4] == b"\x89PNG"


def test_explorer_stop_keeps_what_was_encoded():
    images = np.random.default_rng(0).uniform(0, 1, (1200, 6, 6))
    explorer = LatentExplorer(tiny_decoder(), encoder=tiny_encoder(), images=images, background=False)
    assert explorer.encoded.shape == (1200, 2) and explorer.stop.disabled
    explorer.progress.observe(lambda change: explorer.stop.click(), names="value")  # Stop pressed during the run
    explorer.encode()
    assert explorer.encoded.shape == (500, 2) and "500 of 1,200" in explorer.status.value and "stopped" in explorer.status.value


def test_explorer_nan_slider_value_is_shown_and_the_widget_recovers():
    explorer = LatentExplorer(tiny_decoder())
    explorer.z0.value = float("nan")
    assert "finite" in explorer.last_error and "dlwp-error" in explorer.error.value
    assert explorer.digit.layout.visibility == "hidden"
    explorer.z0.value = 0.5
    assert explorer.last_error is None and explorer.last_point == (0.5, 0.0)


def test_explorer_with_a_wrong_latent_size_shows_the_error():
    explorer = LatentExplorer(tiny_decoder(latent_dim=3))
    assert "2-D latent space" in explorer.last_error and "3-D" in explorer.last_error
    explorer.z1.value = 1.0  # still usable: the same message, nothing raised
    assert "2-D latent space" in explorer.last_error


def test_explorer_show_point_clamps_to_the_range():
    explorer = LatentExplorer(tiny_decoder(), extent=2.0)
    explorer.show_point(5.0, -1.0)
    assert explorer.last_point == (2.0, -1.0)


# --------------------------------------------------------------------------- GANTimeline


def toy_timeline(snapshots=3, every=2):
    timeline = gen.Timeline()
    for index in range(snapshots):
        timeline.steps.append(index * every)
        timeline.samples.append(np.full((4, 8, 8, 3), index * 40, np.uint8))
    steps = (snapshots - 1) * every
    timeline.d_losses.extend(np.linspace(0.7, 0.6, steps).tolist())
    timeline.g_losses.extend(np.linspace(0.7, 0.9, steps).tolist())
    return timeline


def test_timeline_slider_shows_samples_and_losses_up_to_the_step():
    widget = GANTimeline(toy_timeline())
    assert widget.last_step == 4 and widget.last_error is None  # opens on the last snapshot
    widget.snapshot.value = 1
    assert widget.last_step == 2 and widget.last_grid.shape == (16, 16, 3) and widget.last_grid.max() == 40
    assert "step 2" in widget.step_label.value and widget.losses.value[:4] == b"\x89PNG"
    widget.show_step(0)
    assert widget.last_step == 0 and widget.last_error is None


def test_empty_timeline_is_shown_not_raised():
    widget = GANTimeline(gen.Timeline())
    assert "empty" in widget.last_error
    widget.show_step(3)
    assert "empty" in widget.last_error


def test_out_of_range_step_is_shown_and_the_widget_recovers():
    widget = GANTimeline(toy_timeline())
    widget.show_step(99)
    assert "No snapshot at step 99" in widget.last_error and "0 to 4" in widget.last_error
    widget.show_step(2)
    assert widget.last_error is None and widget.last_step == 2


def tiny_gan():
    keras.utils.set_random_seed(0)
    generator = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8 * 8 * 3, activation="tanh"), keras.layers.Reshape((8, 8, 3))])
    discriminator = keras.Sequential([keras.Input((8, 8, 3)), keras.layers.Flatten(), keras.layers.Dense(1, activation="sigmoid")])
    gan = gen.GAN(generator, discriminator, latent_dim=4, seed=0)
    gan.compile()
    return gan


def test_train_more_extends_the_timeline_and_stop_ends_it():
    rng = np.random.default_rng(0)
    gan = tiny_gan()
    widget = GANTimeline(
        gen.Timeline(), gan=gan, next_batch=lambda: rng.uniform(-1, 1, (4, 8, 8, 3)).astype("float32"),
        latent_points=np.zeros((4, 4), "float32"), steps_per_run=5, every=2, background=False,
    )
    widget.train_more()
    timeline = widget.timeline
    assert widget.last_run_steps == 5 and timeline.steps == [0, 2, 4, 5] and len(timeline.d_losses) == 5
    assert widget.snapshot.max == 3 and widget.last_step == 5 and widget.progress.value == 5
    assert all(np.isfinite(timeline.g_losses))
    widget._stop_requested = True  # a Stop press during the run: checked before each step
    widget._run(5)
    assert widget.last_run_steps == 0 and len(timeline.d_losses) == 5
    widget.train_more(0)
    assert "at least 1" in widget.last_error


def test_train_more_in_the_background_and_without_a_model():
    rng = np.random.default_rng(0)
    widget = GANTimeline(
        gen.Timeline(), gan=tiny_gan(), next_batch=lambda: rng.uniform(-1, 1, (4, 8, 8, 3)).astype("float32"),
        latent_points=np.zeros((2, 4), "float32"), steps_per_run=3, every=10,
    )
    widget.train_more()
    widget.wait(60)
    assert widget.last_run_steps == 3 and widget.timeline.steps == [0, 3] and not widget.train.disabled
    bare = GANTimeline(toy_timeline())
    bare.train_more()
    assert "no model to train" in bare.last_error
