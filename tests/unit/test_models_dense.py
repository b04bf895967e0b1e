"""Chapter 3-4 dense model builders: the book's architectures, parameter counts and settings."""

from __future__ import annotations

import pytest

from dlwp_widgets.models import dense


@pytest.mark.parametrize(
    "build, parameters",
    [
        (dense.imdb_reference, 160_305),
        (dense.imdb_smaller, 40_029),
        (dense.imdb_bigger, 5_383_681),
        (dense.imdb_l2, 160_305),
        (dense.imdb_dropout, 160_305),
        (dense.reuters_classifier, 647_214),
        (dense.reuters_bottleneck, 640_554),
        (dense.boston_regressor, 5_121),
    ],
)
def test_parameter_counts_match_the_book(build, parameters):
    assert build().count_params() == parameters


def test_regularised_variants_carry_their_regulariser_and_dropout():
    l2_model = dense.imdb_l2(0.01)
    hidden = [layer for layer in l2_model.layers if layer.name.startswith("dense")][:2]
    assert all(abs(float(layer.kernel_regularizer.l2) - 0.01) < 1e-9 for layer in hidden)
    rates = [layer.rate for layer in dense.imdb_dropout(0.3).layers if layer.__class__.__name__ == "Dropout"]
    assert rates == [0.3, 0.3]
    assert set(dense.IMDB_VARIANTS) == {"reference", "smaller", "bigger", "l2", "dropout"}


def test_compiled_with_the_books_losses():
    assert dense.imdb_reference().loss == "binary_crossentropy"
    assert dense.reuters_classifier(loss="sparse_categorical_crossentropy").loss == "sparse_categorical_crossentropy"
    boston = dense.boston_regressor()
    assert boston.loss == "mse" and boston.layers[-1].activation.__name__ == "linear"


@pytest.mark.parametrize("kwargs, words", [({"dropout": 1.0}, "dropout rate"), ({"dropout": -0.1}, "dropout rate"),
                                           ({"l2": -1.0}, "L2 factor")])
def test_bad_settings_are_refused(kwargs, words):
    with pytest.raises(ValueError, match=words):
        dense.imdb_classifier((4,), input_dim=8, **kwargs)
