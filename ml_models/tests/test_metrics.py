"""The shared evaluation metrics against values worked out by hand in the comments."""

import numpy as np
import pytest

from ml_models.ml.metrics import (
    average_precision,
    coverage_at_k,
    false_decline_rate,
    forecast_metrics,
    interval_coverage,
    latency_measure,
    latency_percentiles,
    mase,
    ndcg_at_k,
    ranking_metrics,
    recall_at_k,
    recall_at_review_fraction,
    roc_auc,
    smape,
)

# 1 / log2(3), the gain at rank 2.
G2 = 0.6309297535714575

# --- Ranking -------------------------------------------------------------------------------------

# Three users; the third has no test item and is skipped by recall and ndcg.
RECOMMENDED = [["a", "b", "c", "d"], ["e", "a", "f", "g"], ["b", "c", "a", "h"]]
RELEVANT = [{"a", "c"}, {"f", "x", "y"}, set()]


def test_recall_at_k_by_hand():
    # k=2: user 1 {a,b} ∩ {a,c} = 1 hit / min(2, 2) = 0.5; user 2 {e,a} ∩ {f,x,y} = 0 / 2 = 0
    # mean (0.5 + 0) / 2 = 0.25
    assert recall_at_k(RECOMMENDED, RELEVANT, 2) == pytest.approx(0.25)
    # k=3: user 1 {a,b,c}: 2 / min(2, 3) = 1; user 2 {e,a,f}: 1 / min(3, 3) = 1/3
    # mean (1 + 1/3) / 2 = 2/3
    assert recall_at_k(RECOMMENDED, RELEVANT, 3) == pytest.approx(2 / 3)


def test_recall_at_k_larger_than_the_lists():
    # k=10 > 4 recommended: user 1 2 / min(2, 10) = 1; user 2 1 hit (f) / min(3, 10) = 1/3
    # x and y (never recommended) stay in the denominator. Mean (1 + 1/3) / 2 = 2/3
    assert recall_at_k(RECOMMENDED, RELEVANT, 10) == pytest.approx(2 / 3)


def test_recall_denominator_is_capped_by_k():
    # 3 relevant, k=1, the first item is relevant: 1 / min(3, 1) = 1.0
    assert recall_at_k([["x", "q"]], [{"x", "y", "z"}], 1) == pytest.approx(1.0)


def test_users_without_relevant_items_are_skipped():
    # The third user (empty relevant set) would pull the mean down to 0.25 * 2/3 if counted as 0.
    assert recall_at_k(RECOMMENDED, RELEVANT, 2) == recall_at_k(RECOMMENDED[:2], RELEVANT[:2], 2)
    assert ndcg_at_k(RECOMMENDED, RELEVANT, 3) == ndcg_at_k(RECOMMENDED[:2], RELEVANT[:2], 3)


def test_ranking_metrics_need_a_user_with_relevant_items_and_matching_lengths():
    with pytest.raises(ValueError, match="no user has any relevant item"):
        recall_at_k([["a"]], [set()], 1)
    with pytest.raises(ValueError, match="users"):
        ndcg_at_k([["a"], ["b"]], [{"a"}], 1)
    with pytest.raises(ValueError, match="k must be"):
        recall_at_k([["a"]], [{"a"}], 0)


def test_ndcg_at_k_by_hand():
    # k=2: user 1 top a,b: DCG = 1/log2(2) = 1; ideal over min(2, 2) = 2 positions = 1 + G2
    #   = 1.6309297535714575, ndcg = 1 / 1.6309297535714575 = 0.6131471927654584
    # user 2 top e,a: DCG = 0. Mean 0.6131471927654584 / 2 = 0.3065735963827292
    assert ndcg_at_k(RECOMMENDED, RELEVANT, 2) == pytest.approx(0.3065735963827292)
    # k=3: user 1 hits at ranks 1 (a) and 3 (c): DCG = 1 + 1/log2(4) = 1.5,
    #   ideal = 1 + G2 = 1.6309297535714575, ndcg = 1.5 / 1.6309297535714575 = 0.9197207891481876
    # user 2 hit at rank 3 (f): DCG = 0.5, ideal over min(3, 3) = 3 positions = 1 + G2 + 0.5
    #   = 2.1309297535714575, ndcg = 0.5 / 2.1309297535714575 = 0.23463936301137822
    # mean (0.9197207891481876 + 0.23463936301137822) / 2 = 0.5771800760797829
    assert ndcg_at_k(RECOMMENDED, RELEVANT, 3) == pytest.approx(0.5771800760797829)


def test_ndcg_at_k_larger_than_the_lists():
    # k=10: same hits as k=3; ideal positions min(2, 10) = 2 and min(3, 10) = 3, as for k=3
    assert ndcg_at_k(RECOMMENDED, RELEVANT, 10) == pytest.approx(0.5771800760797829)


def test_ndcg_perfect_and_ideal_capped_by_k():
    # Both relevant items on top, in any order: DCG = ideal = 1 + G2, ndcg = 1
    assert ndcg_at_k([["y", "x", "q"]], [{"x", "y"}], 2) == pytest.approx(1.0)
    # 3 relevant, k=1, relevant at rank 1: DCG = 1, ideal over min(3, 1) = 1 position = 1
    assert ndcg_at_k([["x", "q"]], [{"x", "y", "z"}], 1) == pytest.approx(1.0)


def test_repeated_recommendation_counts_once():
    # top a,a with relevant {a,b}: recall = |{a}| / min(2, 2) = 0.5
    assert recall_at_k([["a", "a"]], [{"a", "b"}], 2) == pytest.approx(0.5)
    # DCG = 1 (the second a gains nothing), ideal = 1 + G2, ndcg = 1 / 1.6309297535714575
    assert ndcg_at_k([["a", "a"]], [{"a", "b"}], 2) == pytest.approx(0.6131471927654584)


def test_coverage_at_k_by_hand():
    # top-2 lists {a,b}, {e,a}, {b,c}: distinct {a,b,c,e} = 4 of 8 items = 0.5
    assert coverage_at_k(RECOMMENDED, 8, 2) == pytest.approx(0.5)
    # k=10 takes the whole lists: {a,b,c,d,e,f,g,h} = 8 of 10 items = 0.8
    assert coverage_at_k(RECOMMENDED, 10, 10) == pytest.approx(0.8)
    with pytest.raises(ValueError, match="n_items"):
        coverage_at_k(RECOMMENDED, 0, 2)


def test_ranking_metrics_by_hand():
    # recall and ndcg as above; coverage at the largest k (3): union of {a,b,c}, {e,a,f}, {b,c,a}
    # = {a,b,c,e,f} = 5 of 8 = 0.625
    result = ranking_metrics(RECOMMENDED, RELEVANT, n_items=8, ks=(2, 3))
    assert list(result) == ["recall@2", "ndcg@2", "recall@3", "ndcg@3", "coverage@3"]
    assert result == pytest.approx(
        {
            "recall@2": 0.25,
            "ndcg@2": 0.3065735963827292,
            "recall@3": 2 / 3,
            "ndcg@3": 0.5771800760797829,
            "coverage@3": 0.625,
        }
    )
    assert all(type(value) is float for value in result.values())


def test_ranking_metrics_default_cut_offs():
    result = ranking_metrics(RECOMMENDED, RELEVANT, n_items=10)
    assert list(result) == ["recall@10", "ndcg@10", "recall@20", "ndcg@20", "coverage@20"]
    # Lists shorter than 10: the k=3 values and all 8 items of 10 covered.
    assert result["recall@20"] == pytest.approx(2 / 3)
    assert result["coverage@20"] == pytest.approx(0.8)


# --- Classification ------------------------------------------------------------------------------


def test_average_precision_with_tied_scores():
    # Scores 0.9 | 0.8 0.8 0.8 | 0.1 with labels 1 | 0 1 1 | 0; thresholds at distinct scores:
    #   >= 0.9: TP 1, FP 0, P = 1,   R = 1/3
    #   >= 0.8: TP 3, FP 1, P = 3/4, R = 1
    #   >= 0.1: R stays 1, adds nothing
    # AP = (1/3 - 0) * 1 + (1 - 1/3) * 3/4 = 1/3 + 1/2 = 5/6
    # (Breaking the tie positives first would give 1.0, negative first 29/36.)
    y = [1, 0, 1, 1, 0]
    scores = [0.9, 0.8, 0.8, 0.8, 0.1]
    assert average_precision(y, scores) == pytest.approx(5 / 6)
    # Permuting the tied items changes nothing.
    assert average_precision([1, 1, 1, 0, 0], [0.9, 0.8, 0.8, 0.8, 0.1]) == pytest.approx(5 / 6)


def test_average_precision_without_ties():
    # Ranked labels 1 0 1 0 0: P@1 = 1 at R = 1/2, P@3 = 2/3 at R = 1
    # AP = 1/2 * 1 + 1/2 * 2/3 = 5/6; a perfect ranking gives 1
    assert average_precision([0, 1, 0, 1, 0], [0.3, 0.9, 0.1, 0.5, 0.7]) == pytest.approx(5 / 6)
    assert average_precision([0, 1, 1], [0.1, 0.5, 0.7]) == pytest.approx(1.0)


def test_roc_auc_with_tied_scores():
    # Scores 0.9 0.8 0.8 0.3 0.1, labels 1 0 1 0 0 (the 0.8 tie mixes the classes).
    # Ascending ranks: 0.1 -> 1, 0.3 -> 2, 0.8 0.8 -> (3 + 4) / 2 = 3.5 each, 0.9 -> 5
    # positives' rank sum = 5 + 3.5 = 8.5; U = 8.5 - 2 * 3 / 2 = 5.5; AUC = 5.5 / (2 * 3) = 11/12
    # (pairwise: 0.9 beats 3 negatives = 3; the positive 0.8 ties one (0.5) and beats 2 = 2.5)
    y = [1, 0, 1, 0, 0]
    scores = [0.9, 0.8, 0.8, 0.3, 0.1]
    assert roc_auc(y, scores) == pytest.approx(11 / 12)


def test_roc_auc_extremes_and_all_tied():
    assert roc_auc([0, 0, 1, 1], [0.1, 0.2, 0.3, 0.4]) == pytest.approx(1.0)
    assert roc_auc([1, 1, 0, 0], [0.1, 0.2, 0.3, 0.4]) == pytest.approx(0.0)
    # All tied: every rank is 2.5; U = 2 * 2.5 - 3 = 2; AUC = 2 / 4 = 0.5
    assert roc_auc([1, 0, 1, 0], [0.5, 0.5, 0.5, 0.5]) == pytest.approx(0.5)


@pytest.mark.parametrize("metric", [average_precision, roc_auc])
@pytest.mark.parametrize("y", [[0, 0, 0], [1, 1, 1]])
def test_one_class_raises(metric, y):
    with pytest.raises(ValueError, match="only one class"):
        metric(y, [0.1, 0.2, 0.3])


def test_classification_inputs_are_checked():
    with pytest.raises(ValueError, match="0/1"):
        roc_auc([0, 2, 1], [0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match="items"):
        average_precision([0, 1], [0.1, 0.2, 0.3])


def test_classification_metrics_match_scikit_learn_on_random_data():
    # scikit-learn arrives with the encoders (sentence-transformers needs it).
    from sklearn.metrics import average_precision_score, roc_auc_score

    rng = np.random.default_rng(7)
    y = rng.integers(0, 2, size=500)
    scores = rng.integers(0, 20, size=500) / 20  # many ties on purpose
    assert average_precision(y, scores) == pytest.approx(average_precision_score(y, scores))
    assert roc_auc(y, scores) == pytest.approx(roc_auc_score(y, scores))


# 10 orders, 3 frauds (indices 1, 3, 4); 0.8 is tied between order 2 (legit) and 3 (fraud).
REVIEW_Y = [0, 1, 0, 1, 1, 0, 0, 0, 0, 0]
REVIEW_SCORES = [0.1, 0.95, 0.8, 0.8, 0.3, 0.2, 0.2, 0.1, 0.0, 0.0]
REVIEW_VALUE = [5.0, 60.0, 5.0, 90.0, 150.0, 5.0, 5.0, 5.0, 5.0, 5.0]


def test_recall_at_review_fraction_by_hand():
    # fraction 0.2: ceil(0.2 * 10) = 2 reviewed: order 1 (0.95), then the 0.8 tie goes to order 2
    # (earlier in the input), a legit order. Frauds caught 1 of 3 = 1/3
    assert recall_at_review_fraction(REVIEW_Y, REVIEW_SCORES, fraction=0.2) == pytest.approx(1 / 3)
    # fraction 0.25: ceil(2.5) = 3 reviewed: orders 1, 2, 3, frauds caught 2 of 3
    assert recall_at_review_fraction(REVIEW_Y, REVIEW_SCORES, fraction=0.25) == pytest.approx(2 / 3)
    # default 1%: ceil(0.1) = 1 order reviewed, order 1, a fraud: 1/3
    assert recall_at_review_fraction(REVIEW_Y, REVIEW_SCORES) == pytest.approx(1 / 3)


def test_recall_at_review_fraction_tie_goes_to_the_earlier_order():
    # Swap orders 2 and 3 in the input: now the fraud comes first in the 0.8 tie and is reviewed.
    y = [0, 1, 1, 0, 1, 0, 0, 0, 0, 0]
    # 2 reviewed: orders 1 and 2, both frauds: 2 of 3
    assert recall_at_review_fraction(y, REVIEW_SCORES, fraction=0.2) == pytest.approx(2 / 3)


def test_recall_at_review_fraction_weighted_by_value():
    # Fraud value 60 + 90 + 150 = 300.
    # 2 reviewed (orders 1, 2): 60 caught / 300 = 0.2
    assert recall_at_review_fraction(
        REVIEW_Y, REVIEW_SCORES, fraction=0.2, weights=REVIEW_VALUE
    ) == pytest.approx(0.2)
    # 3 reviewed (orders 1, 2, 3): (60 + 90) / 300 = 0.5
    assert recall_at_review_fraction(
        REVIEW_Y, REVIEW_SCORES, fraction=0.3, weights=REVIEW_VALUE
    ) == pytest.approx(0.5)


def test_recall_at_review_fraction_cut_off_ignores_float_round_off():
    # 0.07 * 100 is 7.000000000000001 in floats; the cut-off is 7 orders, not 8.
    y = np.zeros(100, dtype=int)
    y[7] = 1  # the 8th highest score
    scores = np.arange(100, 0, -1, dtype=float)
    assert recall_at_review_fraction(y, scores, fraction=0.07) == pytest.approx(0.0)
    assert recall_at_review_fraction(y, scores, fraction=0.08) == pytest.approx(1.0)


def test_recall_at_review_fraction_checks_its_inputs():
    with pytest.raises(ValueError, match="fraction"):
        recall_at_review_fraction(REVIEW_Y, REVIEW_SCORES, fraction=0)
    with pytest.raises(ValueError, match="no positive"):
        recall_at_review_fraction([0, 0], [0.1, 0.2])
    with pytest.raises(ValueError, match="no positive"):
        recall_at_review_fraction([0, 1], [0.1, 0.2], weights=[1.0, 0.0])


def test_false_decline_rate_by_hand():
    # Legit orders 0-3, blocked: 0 and 3 -> 2 of 4 = 0.5 (the blocked fraud, order 4, is no
    # false decline)
    y = [0, 0, 0, 0, 1, 1]
    blocked = [True, False, False, True, True, False]
    assert false_decline_rate(y, blocked) == pytest.approx(0.5)
    with pytest.raises(ValueError, match="no legitimate"):
        false_decline_rate([1, 1], [True, False])


# --- Forecasting ---------------------------------------------------------------------------------

SEASONAL_HISTORY = [10, 20, 10, 20, 12, 22, 12, 22]


def test_mase_seasonal_scale_by_hand():
    # season 2, 8 points >= 2 * 2: naive errors |h[t] - h[t-2]| for t = 2..7: 0 0 2 2 0 0,
    # scale = 4 / 6 = 2/3. MAE(actual [3, 3], forecast [1, 3]) = (2 + 0) / 2 = 1. MASE = 1.5
    value = mase(history=SEASONAL_HISTORY, actual=[3, 3], forecast=[1, 3], season=2)
    assert value == pytest.approx(1.5)
    assert type(value) is float


def test_mase_falls_back_to_period_one_on_short_history():
    # 4 points < 2 * 4: period 1, errors |3-1| |2-3| |5-2| = 2 1 3, scale 2.
    # MAE(actual [4], forecast [5]) = 1. MASE = 0.5
    assert mase(history=[1, 3, 2, 5], actual=[4], forecast=[5], season=4) == pytest.approx(0.5)
    # 8 points = 2 * 4: period 4, errors |5-1| .. |8-4| all 4, scale 4; MAE (1 + 2) / 2 = 1.5
    # MASE = 1.5 / 4 = 0.375
    assert mase(
        history=[1, 2, 3, 4, 5, 6, 7, 8], actual=[9, 10], forecast=[8, 12], season=4
    ) == pytest.approx(0.375)


def test_mase_constant_history_is_none():
    assert mase(history=[5, 5, 5, 5], actual=[5, 6], forecast=[5, 5], season=2) is None


def test_smape_by_hand():
    # 200 * 10 / 210 = 9.523809523809524
    # both 0 -> 0
    # 200 * 10 / 90 = 22.22222222222222
    # 200 * 10 / 10 = 200
    # mean (9.523809523809524 + 0 + 22.22222222222222 + 200) / 4 = 57.93650793650794
    value = smape([100, 0, 50, 0], [110, 0, 40, 10])
    assert value == pytest.approx(57.93650793650794)
    assert smape([0, 0], [0, 0]) == 0.0


def test_interval_coverage_by_hand():
    # 0 <= 1 <= 1 in (bounds inclusive), 2 <= 2 <= 3 in, 3.5 <= 3 out, 4 <= 3.9 out: 2 of 4
    assert interval_coverage([1, 2, 3, 4], [0, 2, 3.5, 0], [1, 3, 4, 3.9]) == pytest.approx(0.5)


# (history, actual, forecast, lower, upper), season 2
SERIES = [
    # A: mase 1.5 (above); smape 200*2/4 = 100 and 0 -> 50; coverage: 3 <= 2 out, 3 <= 5 in -> 0.5
    (SEASONAL_HISTORY, [3, 3], [1, 3], [0, 0], [2, 5]),
    # B: constant history -> mase None; smape 200*2/4 = 100, then 0 0 0 -> 25; coverage 1.0
    ([5, 5, 5, 5], [1, 1, 1, 1], [3, 1, 1, 1], [1, 1, 1, 1], [1, 1, 1, 1]),
    # C: period 2, errors all 2 -> scale 2; MAE (2 + 2) / 2 = 2 -> mase 1.0;
    #    smape 200*2/4 = 100 twice -> 100; coverage: 3 in [3, 4], 1 not in [0, 0.5] -> 0.5
    ([1, 2, 3, 4, 5, 6, 7, 8], [3, 1], [1, 3], [3, 0], [4, 0.5]),
]


def test_forecast_metrics_by_hand():
    # mase over A and C only: (1.5 + 1.0) / 2 = 1.25; B counted apart
    # smape (50 + 25 + 100) / 3 = 58.333...; coverage (0.5 + 1.0 + 0.5) / 3 = 2/3
    result = forecast_metrics(SERIES, season=2)
    assert list(result) == ["mase", "smape", "coverage@80", "series", "series_constant_history"]
    assert result == pytest.approx(
        {
            "mase": 1.25,
            "smape": 175 / 3,
            "coverage@80": 2 / 3,
            "series": 3,
            "series_constant_history": 1,
        }
    )


def test_forecast_metrics_without_intervals_omits_coverage():
    series = [(h, a, f, None, None) for h, a, f, _, _ in SERIES]
    result = forecast_metrics(iter(series), season=2)
    assert "coverage@80" not in result
    assert result["mase"] == pytest.approx(1.25)
    assert result["series_constant_history"] == 1


def test_forecast_metrics_all_constant_histories():
    result = forecast_metrics([([3, 3, 3], [3], [4], None, None)], season=1)
    # smape 200 * 1 / 7 = 28.571428571428573
    assert result == {
        "mase": None,
        "smape": pytest.approx(28.571428571428573),
        "series": 1,
        "series_constant_history": 1,
    }


def test_forecast_metrics_rejects_mixed_intervals_and_no_series():
    with pytest.raises(ValueError, match="give all or none"):
        forecast_metrics([SERIES[0], (*SERIES[2][:3], None, None)], season=2)
    with pytest.raises(ValueError, match="no series"):
        forecast_metrics([], season=2)


# --- Latency -------------------------------------------------------------------------------------


def test_latency_percentiles_by_hand():
    # 1 2 3 4 5 ms; linear interpolation at position q * (5 - 1):
    # p50 -> 2.0 -> 3 ms; p95 -> 3.8 -> 4 + 0.8 = 4.8 ms; p99 -> 3.96 -> 4.96 ms
    result = latency_percentiles([0.003, 0.001, 0.005, 0.002, 0.004])
    assert result == {"p50_ms": 3.0, "p95_ms": 4.8, "p99_ms": 4.96}
    # Rounded to 3 decimals: 1.23456 ms -> 1.235
    assert latency_percentiles([0.00123456]) == {"p50_ms": 1.235, "p95_ms": 1.235, "p99_ms": 1.235}
    with pytest.raises(ValueError, match="no latency"):
        latency_percentiles([])


def test_latency_measure_counts_calls_and_cycles_inputs():
    seen = []

    def call(item):
        seen.append(item)

    result = latency_measure(call, ["a", "b"], warmup=3, calls=5)
    # 3 warm-up calls (a b a) then 5 timed ones (a b a b a), each phase cycling from the first.
    assert seen == ["a", "b", "a", "a", "b", "a", "b", "a"]
    assert result["calls"] == 5
    assert set(result) == {"p50_ms", "p95_ms", "p99_ms", "calls"}


def test_latency_measure_defaults_and_checks():
    count = 0

    def call(_item):
        nonlocal count
        count += 1

    result = latency_measure(call, [object()])
    # 50 warm-up calls + 1000 timed ones
    assert count == 1050
    assert result["calls"] == 1000
    with pytest.raises(ValueError, match="inputs"):
        latency_measure(call, [])
