"""The risk model and its gradient-boosting peer on a small synthetic store: orders replayed
through the real feature code, with fraud patterns a model can learn (device bursts, card
testing, foreign cards and connections, brand-new accounts buying electronics)."""

import numpy as np
import pytest

from fraud.ml.features import (
    CATEGORICAL,
    NUMERIC,
    REASON_GROUPS,
    PaymentRecord,
    RiskLists,
    replay,
)
from fraud.ml.metrics import BLOCK_NOTHING
from fraud.ml.model import Calibration, FeatureEncoder, ModelConfig, RiskModel, model_train
from fraud.ml.peers import HGB_CATEGORIES, GradientBoostingPeer
from ml_models.ml.metrics import average_precision

HOMES = {"DE": ("de", "EUR"), "US": ("us", "USD"), "FR": ("fr", "EUR"), "GB": ("gb", "GBP")}
DOMAINS = ("gmail.com", "web.de", "yahoo.com", "orange.fr", "outlook.com")
CATEGORIES = ("apparel", "home", "books", "electronics", "toys")
START = 1_750_000_000.0
DAY = 86_400.0


def synthetic_store(orders: int, *, fraud_share: float, seed: int = 0):
    """(features, labels, amounts) of about `orders` authorized orders, in time order."""
    rng = np.random.default_rng(seed)
    customers = [
        {
            "country": str(rng.choice(list(HOMES))),
            "email": f"c{i}",
            "domain": str(rng.choice(DOMAINS)),
            "device": f"d{i}",
            "card": f"k{i}",
            "address": f"a{i}",
            "created": START - float(rng.uniform(30, 900)) * DAY,
        }
        for i in range(max(50, orders // 4))
    ]
    records, fraud_ids = [], set()
    for number, at in enumerate(np.sort(rng.uniform(START, START + 90 * DAY, orders))):
        order_id = f"o{number}"
        if rng.random() >= fraud_share:
            shopper = customers[int(rng.integers(len(customers)))]
            records.append(_legitimate(rng, shopper, at, order_id))
            continue
        pattern = str(rng.choice(["velocity", "card_testing", "mismatch", "new_account"]))
        burst = _fraud(rng, pattern, at, order_id)
        fraud_ids.update(record.order_id for record in burst if not record.failed)
        records += burst
    rows, labels, amounts = [], [], []
    for record, features in replay(records, RiskLists()):
        rows.append(features)
        labels.append(record.order_id in fraud_ids)
        amounts.append(record.amount_usd)
    return rows, np.array(labels), np.array(amounts)


def _legitimate(rng, shopper, at, order_id) -> PaymentRecord:
    country = shopper["country"]
    market, currency = HOMES[country]
    abroad = rng.random() < 0.03  # expats and gifts: legitimate mismatches
    return PaymentRecord(
        at=at,
        outcome="authorized",
        amount_usd=float(rng.lognormal(4.0, 0.8)),
        email=shopper["email"],
        email_domain=shopper["domain"],
        device=shopper["device"],
        ip=f"ip-{shopper['email']}",
        card=shopper["card"],
        address=shopper["address"],
        currency=currency,
        market=market,
        ip_country=country,
        billing_country="US" if abroad else country,
        shipping_country=country,
        card_bin_country="US" if abroad else country,
        category=str(rng.choice(CATEGORIES)),
        risky_share=float(rng.random() < 0.2),
        account_created_at=None if rng.random() < 0.2 else shopper["created"],
        order_id=order_id,
    )


def _fraud(rng, pattern: str, at: float, order_id: str) -> list[PaymentRecord]:
    country = str(rng.choice(list(HOMES)))
    market, currency = HOMES[country]
    tag = f"{order_id}-{rng.integers(10**9)}"
    order = PaymentRecord(
        at=at,
        outcome="authorized",
        amount_usd=float(rng.lognormal(5.0, 0.7)),
        email=f"f{tag}",
        email_domain=str(rng.choice(DOMAINS)),
        device=f"fd{tag}",
        ip=f"fip{tag}",
        card=f"fk{tag}",
        address=f"fa{tag}",
        currency=currency,
        market=market,
        ip_country=country,
        billing_country=country,
        shipping_country=country,
        card_bin_country=country,
        category=str(rng.choice(CATEGORIES)),
        account_created_at=None,
        order_id=order_id,
    )
    if pattern == "velocity":  # one device, fresh identities, several orders within the hour
        return [order] + [
            PaymentRecord(
                **{
                    **order.__dict__,
                    "at": at + 600 * step,
                    "email": f"f{tag}-{step}",
                    "card": f"fk{tag}-{step}",
                    "ip": f"fip{tag}-{step}",
                    "address": f"fa{tag}-{step}",
                    "order_id": f"{order_id}-{step}",
                }
            )
            for step in range(1, 4)
        ]
    if pattern == "card_testing":
        declines = [
            PaymentRecord(
                at=at - 60 * (i + 1), outcome="card_declined", amount_usd=1.0, ip=order.ip
            )
            for i in range(4)
        ]
        return [*declines, order]
    if pattern == "mismatch":
        return [
            PaymentRecord(
                **{**order.__dict__, "ip_country": "NG", "card_bin_country": "BR"},
            )
        ]
    created = at - 600  # an account opened minutes ago, buying electronics
    return [
        PaymentRecord(
            **{
                **order.__dict__,
                "account_created_at": created,
                "category": "electronics",
                "risky_share": 1.0,
            }
        )
    ]


def _split(rows, labels, amounts):
    train, valid = int(len(rows) * 0.6), int(len(rows) * 0.8)
    return (
        (rows[:train], labels[:train]),
        (rows[train:valid], labels[train:valid]),
        (rows[valid:], labels[valid:], amounts[valid:]),
    )


TINY = ModelConfig(hidden=(16, 8), max_epochs=20, patience=4, batch_size=128, seed=0)


@pytest.fixture(scope="module")
def store():
    return _split(*synthetic_store(3_000, fraud_share=0.04, seed=1))


@pytest.fixture(scope="module")
def trained(store):
    (train_rows, train_labels), (valid_rows, valid_labels), _ = store
    progress = []
    model = model_train(
        train_rows,
        train_labels,
        valid_rows,
        valid_labels,
        config=TINY,
        report=lambda fraction, message: progress.append((fraction, message)),
    )
    return model, progress


def test_the_synthetic_rows_carry_every_feature(store):
    (rows, labels), _, _ = store
    assert set(rows[0]) == {*CATEGORICAL, *NUMERIC}
    assert 0.02 < labels.mean() < 0.15


def test_the_model_learns_fraud_well_above_the_base_rate(store, trained):
    model, progress = trained
    _, _, (test_rows, test_labels, _) = store
    pr_auc = average_precision(test_labels, model.probabilities(test_rows))
    assert pr_auc > 0.5 > 5 * test_labels.mean()
    assert model.training["validation"]["pr_auc"] > 0.5
    assert 1 <= model.training["best_epoch"] <= model.training["epochs_run"] <= TINY.max_epochs
    assert model.training["fraud_weight"] > 1  # balanced: fraud is the rare class
    assert progress[-1][0] == 1.0
    assert all(0 <= fraction <= 1 for fraction, _ in progress)


def test_probabilities_are_probabilities_and_one_order_scores_as_in_a_batch(store, trained):
    model, _ = trained
    _, _, (test_rows, _, _) = store
    probabilities = model.probabilities(test_rows)
    assert probabilities.shape == (len(test_rows),)
    assert ((probabilities >= 0) & (probabilities <= 1)).all()
    for index in (0, 7, len(test_rows) - 1):
        row = test_rows[index]
        assert model.probability(row) == model.probabilities([row])[0]
        assert model.probability(row) == pytest.approx(probabilities[index], abs=1e-6)
    assert model.probabilities([]).shape == (0,)


def test_calibration_makes_the_mean_probability_close_to_the_fraud_rate(store, trained):
    model, _ = trained
    _, (valid_rows, valid_labels), _ = store
    # The network trains with the fraud orders weighted up: uncalibrated, it would overstate.
    assert model.probabilities(valid_rows).mean() == pytest.approx(valid_labels.mean(), abs=0.02)


def test_a_saved_model_loads_and_scores_identically(store, trained, tmp_path):
    model, _ = trained
    _, _, (test_rows, _, _) = store
    model.save(tmp_path / "risk")
    loaded = RiskModel.load(tmp_path / "risk")

    np.testing.assert_array_equal(loaded.probabilities(test_rows), model.probabilities(test_rows))
    assert loaded.reasons(test_rows[0]) == model.reasons(test_rows[0])
    assert loaded.thresholds == model.thresholds
    assert loaded.training == model.training
    assert sorted(path.name for path in (tmp_path / "risk").iterdir()) == [
        "network_embeddings.npz",
        "network_head.npz",
        "risk_model.json",
    ]


def test_reasons_name_the_planted_pattern(trained):
    model, _ = trained
    ordinary = dict(model.encoder.reference)
    burst = ordinary | {f"orders_device_{window}": 3.0 for window in ("1h", "24h", "7d")}

    reasons = model.reasons(burst)

    assert reasons[0][0] == "device_velocity"
    assert all(code in REASON_GROUPS and lift > 0 for code, lift in reasons)
    assert [lift for _, lift in reasons] == sorted((lift for _, lift in reasons), reverse=True)
    assert len(reasons) <= 3
    assert len(model.reasons(burst, count=1)) == 1
    assert model.probability(burst) > model.probability(ordinary)


def test_the_ordinary_order_has_no_reason(trained):
    model, _ = trained
    assert model.reasons(dict(model.encoder.reference)) == []


def test_values_never_seen_in_training_are_scored_as_out_of_vocabulary(store, trained):
    model, _ = trained
    _, _, (test_rows, _, _) = store
    strange = test_rows[0] | {name: "never-seen" for name in CATEGORICAL}
    rare = test_rows[0] | {name: "another-unseen" for name in CATEGORICAL}

    assert 0 <= model.probability(strange) <= 1
    assert model.probability(strange) == model.probability(rare)  # both out of vocabulary
    assert isinstance(model.reasons(strange), list)


def test_the_thresholds_hold_the_precision_on_validation(store, trained):
    model, _ = trained
    _, (valid_rows, valid_labels), _ = store
    probabilities = model.probabilities(valid_rows)
    block, review = model.thresholds["block"], model.thresholds["review"]

    assert review <= block
    assert (probabilities >= review).mean() >= 0.01
    if block < BLOCK_NOTHING:
        assert valid_labels[probabilities >= block].mean() >= 0.8
    assert model.training["thresholds"] == {"block": block, "review": review}


def test_training_is_reproducible_with_a_seed(store, trained):
    model, _ = trained
    (train_rows, train_labels), (valid_rows, valid_labels), (test_rows, _, _) = store
    again = model_train(train_rows, train_labels, valid_rows, valid_labels, config=TINY)
    np.testing.assert_allclose(
        again.probabilities(test_rows), model.probabilities(test_rows), atol=1e-6
    )


def test_training_refuses_a_validation_part_without_fraud(store):
    (train_rows, train_labels), (valid_rows, valid_labels), _ = store
    legitimate = [row for row, fraud in zip(valid_rows, valid_labels, strict=True) if not fraud]
    with pytest.raises(ValueError, match="validation orders need both"):
        model_train(train_rows, train_labels, legitimate, np.zeros(len(legitimate)), config=TINY)


def test_the_encoder_keeps_values_seen_often_enough_and_guards_constant_features():
    rows = [
        {name: 0.0 for name in NUMERIC} | {name: "x" for name in CATEGORICAL} for _ in range(10)
    ]
    rows[0] |= {"market": "rare", "amount_usd": 100.0}
    rows[1] |= {"market": "twice"}
    rows[2] |= {"market": "twice"}
    encoder = FeatureEncoder.fit(rows, min_count=2)

    assert encoder.vocabularies["market"] == ["x", "twice"]
    assert encoder.codes([rows[0], rows[1], rows[3]])[:, 0].tolist() == [0, 2, 1]
    numerics = encoder.numerics(rows)
    assert np.isfinite(numerics).all()  # std 0 for the constant features, guarded
    amount = list(encoder.numeric_names).index("amount_usd")
    assert numerics[0, amount] == pytest.approx(3.0, abs=1e-5)  # one of ten, log1p: 3 std away
    assert encoder.reference["market"] == "x"
    assert encoder.reference["amount_usd"] == 0.0


def test_calibration_recovers_a_known_chance_of_fraud():
    rng = np.random.default_rng(0)
    logits = rng.normal(0, 3, 50_000)
    chance = 1 / (1 + np.exp(-(0.5 * logits - 2.0)))
    calibration = Calibration.fit(logits, rng.random(50_000) < chance)

    grid = np.linspace(-4, 4, 17)  # where the data are: a step function is coarse in the tails
    np.testing.assert_allclose(calibration(grid), 1 / (1 + np.exp(-(0.5 * grid - 2.0))), atol=0.05)


def test_calibration_keeps_the_network_order_and_claims_no_certainty():
    logits = np.array([-3.0, -2.0, -1.0, 4.0, 5.0])
    calibration = Calibration.fit(logits, np.array([0, 0, 0, 1, 1]))

    probabilities = calibration(np.array([-9.0, -3.0, -2.5, -2.0, 4.0, 5.0, 9.0]))
    assert (np.diff(probabilities) > 0).all()  # strictly: ties within a step keep their order
    assert probabilities[-1] == pytest.approx(3 / 4, abs=1e-5)  # (2 frauds + 1) / (2 + 2)
    assert probabilities[0] == pytest.approx(1 / 5, abs=1e-5)  # 1 / (3 legitimate + 2)


def test_the_gradient_boosting_peer_learns_and_sets_its_thresholds(store):
    (train_rows, train_labels), (valid_rows, valid_labels), (test_rows, test_labels, _) = store
    peer = GradientBoostingPeer().fit(train_rows, train_labels, valid_rows, valid_labels)

    probabilities = peer.probabilities(test_rows)
    assert average_precision(test_labels, probabilities) > 0.5
    assert peer.probability(test_rows[3]) == pytest.approx(probabilities[3])
    assert peer.thresholds["review"] <= peer.thresholds["block"]
    strange = test_rows[0] | {name: "never-seen" for name in CATEGORICAL}
    assert 0 <= peer.probability(strange) <= 1


def test_the_peer_keeps_the_most_frequent_categories_hgb_can_take(store):
    (train_rows, train_labels), (valid_rows, valid_labels), _ = store
    # Every order from its own email domain, a few domains shared: more than HGB can take.
    rows = [
        row | {"email_domain": f"domain{i % 400}" if i < 800 else f"shared{i % 3}"}
        for i, row in enumerate(train_rows)
    ]
    peer = GradientBoostingPeer().fit(rows, train_labels, valid_rows, valid_labels)

    kept = peer.encoder.vocabularies["email_domain"]
    assert len(kept) == HGB_CATEGORIES - 1
    assert {"shared0", "shared1", "shared2"} <= set(kept)
    assert peer.encoder.codes(rows)[:, CATEGORICAL.index("email_domain")].max() < HGB_CATEGORIES
