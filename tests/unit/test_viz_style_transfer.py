"""Style transfer computation: the three losses, the compiled evaluation against the book's, L-BFGS."""

import numpy as np
import pytest

keras = pytest.importorskip("keras")
from keras import layers  # noqa: E402

from dlwp_widgets.viz import style_transfer as st  # noqa: E402
from dlwp_widgets.viz.images import ImageError  # noqa: E402

LAYERS = dict(content_layer="c2", style_layers=["c1", "c2"])


def tiny_convnet():
    keras.utils.set_random_seed(0)
    return keras.Sequential(
        [
            keras.Input((None, None, 3)),
            layers.Conv2D(4, 3, padding="same", activation="relu", name="c1"),
            layers.Conv2D(6, 3, padding="same", activation="relu", name="c2"),
        ],
        name="tiny",
    )


def picture(height=40, width=60, seed=0):
    return np.random.default_rng(seed).uniform(0, 255, (height, width, 3)).astype(np.float32)


def test_losses_match_their_formulas():
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=(5, 7, 4)).astype(np.float32), rng.normal(size=(5, 7, 4)).astype(np.float32)
    assert float(st.content_loss(a, b)) == pytest.approx(np.sum((b - a) ** 2), rel=1e-5)
    flat = a.transpose(2, 0, 1).reshape(4, -1)
    np.testing.assert_allclose(np.asarray(st.gram_matrix(a)), flat @ flat.T, rtol=1e-5)
    gram_b = b.transpose(2, 0, 1).reshape(4, -1)
    expected = np.sum((flat @ flat.T - gram_b @ gram_b.T) ** 2) / (4.0 * 9 * 35**2)  # the book's channels = 3
    assert float(st.style_loss(a, b, 35)) == pytest.approx(expected, rel=1e-5)
    x = rng.normal(size=(1, 4, 5, 3)).astype(np.float32)
    d1 = (x[:, :-1, :-1] - x[:, 1:, :-1]) ** 2
    d2 = (x[:, :-1, :-1] - x[:, :-1, 1:]) ** 2
    assert float(st.total_variation_loss(x)) == pytest.approx(np.sum((d1 + d2) ** 1.25), rel=1e-5)
    assert float(st.total_variation_loss(np.ones((1, 6, 6, 3), np.float32))) == 0.0


def test_compiled_evaluation_equals_the_books_batch_of_three():
    transfer = st.StyleTransfer(tiny_convnet(), picture(), picture(30, 30, seed=1), height=32, **LAYERS)
    assert transfer.size == (32, 48)
    x = transfer.target + np.random.default_rng(2).normal(0, 5, transfer.target.shape).astype(np.float32)
    weights = (st.BOOK_CONTENT_WEIGHT, st.BOOK_STYLE_WEIGHT, st.BOOK_TOTAL_VARIATION_WEIGHT)
    ours = transfer.loss_and_grads(x, weights)
    book = st.book_loss_and_grads(transfer.extractor, transfer.target, transfer.style, x, **LAYERS, weights=weights)
    assert ours[0] == pytest.approx(book[0], rel=1e-4)
    np.testing.assert_allclose(ours[1], book[1], rtol=1e-3, atol=1e-3 * np.abs(book[1]).max())
    transfer.loss_and_grads(x, (1.0, 0.0, 0.5))
    assert transfer.traces == 1  # other weights: same compilation


def test_lbfgs_decreases_the_total_loss_and_reports_progress():
    transfer = st.StyleTransfer(tiny_convnet(), picture(), picture(seed=1), height=32, **LAYERS)
    seen = []
    result = transfer.run(iterations=3, evals_per_iteration=5, progress=lambda *args: seen.append(args))
    assert len(result.losses) == 4 and not result.stopped
    assert all(later <= earlier for earlier, later in zip(result.losses, result.losses[1:]))
    assert result.losses[-1] < result.losses[0]
    assert [done for done, *_ in seen] == [1, 2, 3] and seen[-1][3].shape == (32, 48, 3)
    assert result.image.shape == (32, 48, 3) and result.image.dtype == np.uint8
    assert transfer.evaluations <= 1 + 3 * 6  # SciPy may overshoot maxfun by one evaluation


def test_stop_keeps_the_last_accepted_picture():
    transfer = st.StyleTransfer(tiny_convnet(), picture(), picture(seed=1), height=32, **LAYERS)
    result = transfer.run(iterations=5, evals_per_iteration=3, should_stop=lambda: transfer.evaluations >= 8)
    assert result.stopped and 1 <= len(result.losses) - 1 < 5
    assert result.image.shape == (32, 48, 3)


def test_deprocess_inverts_preprocess():
    pic = np.round(picture())
    np.testing.assert_array_equal(st.deprocess(st.preprocess(pic, pic.shape[:2])), pic.astype(np.uint8))


@pytest.mark.parametrize(
    "weights, message",
    [
        ((float("nan"), 1.0, 1e-4), "content weight is nan"),
        ((0.025, -1.0, 1e-4), "style weight is -1.0"),
        ((0.0, 0.0, 0.0), "All three loss weights are 0"),
        ((0.025, "x", 1e-4), "not a number"),
    ],
)
def test_bad_weights_are_refused_clearly(weights, message):
    with pytest.raises(ValueError, match=message):
        st.check_loss_weights(*weights)


def test_bad_sizes_and_pictures_are_refused_with_the_limit_named():
    with pytest.raises(ValueError, match="limit of 512"):
        st.working_size((400, 600), 2000)
    with pytest.raises(ValueError, match="at least 32"):
        st.working_size((400, 600), 8)
    with pytest.raises(ValueError, match="No layer named 'block9'"):
        st.StyleTransfer(tiny_convnet(), picture(), picture(), height=32, content_layer="block9", style_layers=["c1"])
    with pytest.raises(ImageError, match="The style picture: Not a readable image"):
        st.fit_pair(picture(), b"GIF? no")
    with pytest.raises(ImageError, match="No content picture"):
        st.fit_pair(None, picture())
    content, style, note = st.fit_pair(np.zeros((2000, 3000, 3), np.uint8), picture(), max_side=300)
    assert content.shape == (200, 300, 3) and style.shape == (40, 60, 3)
    assert "limit: 300 pixels" in note and "2000x3000" in note
