"""Temperature reweighting and sampling: the book's traps (T=0, zeros, rounding) handled."""

import warnings

import numpy as np
import pytest

from dlwp_widgets.text.sampling import draw, reweight, sample, softmax_at


def book_reweight(p, temperature):
    weights = np.exp(np.log(p) / temperature)
    return weights / weights.sum()


@pytest.mark.parametrize("temperature", [0.2, 0.5, 1.0, 1.7])
def test_reweight_matches_the_book_on_positive_distributions(temperature):
    p = np.array([0.5, 0.3, 0.15, 0.05])
    assert np.allclose(reweight(p, temperature), book_reweight(p, temperature))


def test_temperature_zero_is_greedy_and_ties_go_to_the_first():
    assert reweight([0.2, 0.5, 0.3], 0).tolist() == [0.0, 1.0, 0.0]
    assert reweight([0.4, 0.4, 0.2], 0).tolist() == [1.0, 0.0, 0.0]


def test_zero_probabilities_stay_zero_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for temperature in (1e-320, 0.01, 0.5, 1.0, 5.0, 1e6):
            result = reweight([0.6, 0.0, 0.4, 0.0], temperature)
            assert result.dtype == np.float64
            assert np.all(np.isfinite(result))
            assert result[1] == 0.0 and result[3] == 0.0
            assert result.sum() == pytest.approx(1.0, abs=1e-12)


def test_higher_temperature_means_higher_entropy():
    p = np.array([0.6, 0.25, 0.1, 0.05])

    def entropy(q):
        q = q[q > 0]
        return -(q * np.log(q)).sum()

    entropies = [entropy(reweight(p, t)) for t in (0.1, 0.5, 1.0, 2.0)]
    assert entropies == sorted(entropies)


def test_batch_with_one_temperature_per_row():
    batch = np.array([[0.1, 0.9], [0.5, 0.5], [0.3, 0.7]])
    result = reweight(batch, [0.0, 1.0, 0.5])
    assert result[0].tolist() == [0.0, 1.0]
    assert result[1].tolist() == [0.5, 0.5]
    assert np.allclose(result[2], book_reweight(batch[2], 0.5))
    with pytest.raises(ValueError, match="2 temperatures for 3 distributions"):
        reweight(batch, [0.5, 1.0])


@pytest.mark.parametrize("bad", [-0.5, float("nan"), float("inf"), "hot", None, True])
def test_bad_temperatures_are_refused_with_a_clear_message(bad):
    with pytest.raises(ValueError, match="temperature must be"):
        reweight([0.5, 0.5], bad)


@pytest.mark.parametrize(
    "bad, message",
    [([0.5, -0.1], "negative"), ([0.5, float("nan")], "NaN"), ([0.0, 0.0], "all zeros"), ([], "shape")],
)
def test_bad_distributions_are_refused(bad, message):
    with pytest.raises(ValueError, match=message):
        reweight(bad, 1.0)


def test_float32_rounding_does_not_break_sampling():
    # Softmax output in float32 rarely sums to exactly 1; np.random.multinomial can refuse it.
    logits = np.random.default_rng(3).normal(size=57) * 8
    p = (np.exp(logits - logits.max()) / np.exp(logits - logits.max()).sum()).astype(np.float32)
    rng = np.random.default_rng(0)
    for temperature in (0.2, 1.0, 1.2):
        assert 0 <= sample(p, temperature, rng) < 57


def test_sampling_is_reproducible_with_a_seed_and_never_picks_zeros():
    p = [0.0, 0.5, 0.0, 0.5, 0.0]
    first = [sample(p, 1.0, np.random.default_rng(7)) for _ in range(3)]
    assert first == [sample(p, 1.0, np.random.default_rng(7)) for _ in range(3)]
    draws = draw(np.tile(reweight(p, 1.0), (4000, 1)), np.random.default_rng(1))
    assert set(draws.tolist()) == {1, 3}
    assert abs((draws == 1).mean() - 0.5) < 0.05


def test_draw_follows_the_distribution():
    p = np.array([0.1, 0.2, 0.7])
    draws = draw(np.tile(p, (20000, 1)), np.random.default_rng(2))
    assert np.allclose(np.bincount(draws, minlength=3) / len(draws), p, atol=0.015)


def test_softmax_at_equals_reweighting_the_softmax():
    logits = np.random.default_rng(4).normal(size=(3, 9)) * 3
    probabilities = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    temperatures = np.array([0.0, 0.5, 1.3])
    assert np.allclose(softmax_at(logits, temperatures), reweight(probabilities, temperatures))
