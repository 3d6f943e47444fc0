"""The calibration helpers both trainable backends share."""

from __future__ import annotations

import numpy as np
import pytest

from nlp.classify.calibrate import best_threshold, logit, prior_weights, safe_strata, sigmoid


@pytest.mark.parametrize("p", [1e-3, 0.2, 0.5, 0.9, 0.999])
def test_logit_inverts_sigmoid(p: float) -> None:
    assert float(sigmoid(np.array(logit(p)))) == pytest.approx(p)


def test_sigmoid_does_not_overflow() -> None:
    out = sigmoid(np.array([-1e6, 1e6]))
    assert np.isfinite(out).all() and out[0] < 1e-20 and out[1] == pytest.approx(1.0)


@pytest.mark.parametrize("prior", [0.05, 0.15, 0.5])
def test_prior_weights_set_the_weighted_positive_share(prior: float) -> None:
    y = np.array([1] * 30 + [0] * 10)
    w = prior_weights(y, prior)
    assert float(w[y == 1].sum() / w.sum()) == pytest.approx(prior)


@pytest.mark.parametrize("y", [np.ones(5, dtype=int), np.zeros(5, dtype=int)], ids=["all-positive", "all-negative"])
def test_prior_weights_leave_one_class_data_alone(y: np.ndarray) -> None:
    assert prior_weights(y, 0.15).tolist() == [1.0] * 5


def test_best_threshold_separates_and_stays_in_range() -> None:
    y = np.array([0, 0, 0, 1, 1, 1])
    assert 0.3 < best_threshold(np.array([0.1, 0.2, 0.3, 0.7, 0.8, 0.9]), y) <= 0.7
    assert best_threshold(np.array([0.95] * 6), y) == 0.2  # every cut above 0.8 is out of range


def test_safe_strata_merge_small_strata_into_language_then_one() -> None:
    strata = np.array(["en|10"] * 5 + ["en|01"] * 2 + ["en|11"] * 3 + ["zh-Hant|10"] * 2)
    out = safe_strata(strata, n_splits=5)
    assert out.tolist() == ["en|10"] * 5 + ["en|rare"] * 5 + ["rare"] * 2
