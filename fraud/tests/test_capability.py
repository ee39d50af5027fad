"""The evaluation protocol: the time split, which labels training may use, the CSV export of a
store, and that the queue's labels reach the next training set."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from fraud.capability import FraudCapability, records_csv_write, split_build
from fraud.features import Labelled, store_labelled
from fraud.ml.features import AUTHORIZED, PaymentRecord, RiskLists
from fraud.models import ReviewDecision
from fraud.services import review_decide
from storefront.models import Order

START = datetime(2026, 1, 1, tzinfo=UTC).timestamp()
DAY = 86_400


def order(day: float, order_id: str, **fields) -> PaymentRecord:
    return PaymentRecord(
        at=START + day * DAY,
        outcome=AUTHORIZED,
        amount_usd=50.0,
        currency="USD",
        order_id=order_id,
        **fields,
    )


def history(days: int = 300) -> list[PaymentRecord]:
    """One order a day; every tenth one fraud."""
    return [order(day, str(day), email=f"e{day % 40}", device=f"d{day % 7}") for day in range(days)]


def labelled(records, *, chargeback_days: float = 30, staff=frozenset()) -> Labelled:
    truth = {r.order_id: int(r.order_id) % 10 == 0 for r in records if r.outcome == AUTHORIZED}
    arrival = {r.order_id: r.at + chargeback_days * DAY for r in records}

    def known_at(moment: datetime) -> dict[str, bool]:
        return {key: fraud for key, fraud in truth.items() if arrival[key] <= moment.timestamp()}

    return Labelled(records, truth, known_at, frozenset(staff), RiskLists())


def ids(part) -> list[int]:
    return [int(record.order_id) for record in part.records]


def test_the_last_30_percent_is_test_and_scored_against_the_truth():
    split = split_build(labelled(history()))

    assert ids(split.test) == list(range(210, 300))
    assert list(split.test.labels) == [int(day % 10 == 0) for day in range(210, 300)]


def test_training_uses_orders_old_enough_for_their_chargeback_and_the_latest_fifth_validates(
    settings,
):
    settings.FRAUD_LABEL_MATURITY_DAYS = 90
    split = split_build(labelled(history()))

    trained = ids(split.train) + ids(split.validation)
    assert trained == list(range(0, 121))  # the test starts on day 210: day 120 is the last
    assert ids(split.validation) == list(range(96, 121))  # 25 of 121, the latest


def test_a_label_that_arrives_after_the_split_is_not_used_for_training(settings):
    settings.FRAUD_LABEL_MATURITY_DAYS = 90
    # Chargebacks 100 days late: the fraud of day 120 is charged back on day 220, after the
    # test part starts (day 210); that of day 100 on day 200, before.
    split = split_build(labelled(history(), chargeback_days=100))

    labels = dict(zip(ids(split.validation), split.validation.labels, strict=True))
    assert (labels[100], labels[120]) == (1, 0)


def test_an_order_staff_labelled_trains_however_young(settings):
    settings.FRAUD_LABEL_MATURITY_DAYS = 90

    split = split_build(labelled(history(), chargeback_days=0, staff={"200"}))

    assert 200 in ids(split.validation)
    assert 199 not in ids(split.train) + ids(split.validation)


# --- CSV: a store's own export --------------------------------------------------------------


@pytest.mark.django_db
def test_a_csv_export_splits_exactly_as_the_same_history_does(tmp_path):
    records = history()
    records.insert(
        50,
        PaymentRecord(
            at=START + 49.5 * DAY, outcome="card_declined", amount_usd=0, email="e9", card="c"
        ),
    )
    truth = labelled(records).truth
    records_csv_write(
        tmp_path / "orders.csv", records, {key: (fraud, None) for key, fraud in truth.items()}
    )

    from_csv = FraudCapability().dataset_build(f"csv:{tmp_path / 'orders.csv'}").train
    direct = split_build(labelled(records, chargeback_days=0))

    assert from_csv.train.rows == direct.train.rows
    assert list(from_csv.test.labels) == list(direct.test.labels)


@pytest.mark.django_db
def test_a_csv_without_a_required_column_is_refused_by_name(tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text("time,amount\n2026-01-01,10\n")

    with pytest.raises(ValueError, match="missing columns currency, email_hash"):
        FraudCapability().dataset_build(f"csv:{path}")


# --- Labels from the review queue -------------------------------------------------------------


@pytest.mark.django_db
def test_a_decision_in_the_review_queue_is_a_label_of_the_next_training_set(
    place_held, us_merchant, ops, settings
):
    settings.FRAUD_LABEL_MATURITY_DAYS = 90
    us_merchant.stock_on_hand = 100
    us_merchant.save()
    orders = [place_held((us_merchant, 1)) for _ in range(30)]
    for days_ago, placed in zip(range(300, 0, -10), orders, strict=True):
        Order.objects.filter(pk=placed.pk).update(
            created_at=timezone.now() - timedelta(days=days_ago)
        )
    # 100 days old: in the training period (the test part starts 90 days ago) but younger than
    # the chargeback maturity, so only a reviewer's label lets it train. Reviewed two days
    # after it was placed, as the 7-day authorization demands.
    decided = orders[20]
    review_decide(order=decided, outcome=ReviewDecision.Outcome.CANCELLED_FRAUD, actor=ops)
    ReviewDecision.objects.update(created_at=timezone.now() - timedelta(days=98))
    split = split_build(store_labelled())

    trained = split.train.records + split.validation.records
    labels = dict(
        zip(
            [record.order_id for record in trained],
            [*split.train.labels, *split.validation.labels],
            strict=True,
        )
    )
    assert labels[str(decided.pk)] == 1
    assert str(orders[19].pk) not in labels  # 110 days old, unlabelled: not yet trainable


def test_validation_reaches_back_until_it_holds_ten_frauds():
    from fraud.capability import _validation_start

    steady = [number % 10 == 0 for number in range(1_000)]  # 20 frauds in the latest 200
    early = [number < 500 and number % 20 == 0 for number in range(1_000)]  # none there
    few = [number in (3, 7) for number in range(1_000)]  # too few to spare any

    assert _validation_start(steady) == 800
    assert _validation_start(early) == 300  # the 10th fraud from the end, of 25
    assert _validation_start(few) == 800
