"""Risk scoring on the ML platform: the time-split dataset, the model, its baseline and peer.

Protocol (EVALUATION.md, "Risk scoring"): authorized orders sorted by time; the first 70 % train,
the last 30 % test. Every order's features are what checkout would have computed at its time
(a replay of every attempt, failed ones included, through the same feature code). Training
uses only the labels the store knew when the test part begins, and only orders old enough for
a chargeback to have arrived (FRAUD_LABEL_MATURITY_DAYS) unless staff labelled them; its last
fifth validates, calibrates and chooses the thresholds. The test part is scored against the
truth: the simulation's for the demo store, the labels known now for a live store, the `label`
column for a CSV.
"""

import csv
import math
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from django.conf import settings

from fraud.features import Labelled, risk_lists_get, store_labelled
from fraud.ml.features import AUTHORIZED, PaymentRecord, RiskLists, features_compute, replay
from fraud.ml.metrics import risk_metrics
from fraud.ml.model import ModelConfig, RiskModel, model_train
from fraud.ml.peers import GradientBoostingPeer
from fraud.ml.rules import DEFAULT_RULES, Rule, decide, rules_matching
from ml_models.capabilities import LIVE, Capability, Dataset, ProgressReport

CSV_PREFIX = "csv:"
TEST_SHARE = 0.3
VALIDATION_SHARE = 0.2  # of the training orders, the latest
MIN_VALIDATION_FRAUD = 10
TIMED_ASSESSMENTS = 1_000


@dataclass(frozen=True)
class Part:
    """Orders of one part of the split: their features, labels and values."""

    rows: list[dict]
    labels: np.ndarray  # 1 fraud, 0 legitimate
    amounts_usd: np.ndarray
    records: list[PaymentRecord]

    @classmethod
    def of(cls, pairs: list[tuple[PaymentRecord, dict]], labels) -> "Part":
        return cls(
            rows=[features for _, features in pairs],
            labels=np.asarray(labels, np.int8),
            amounts_usd=np.array([record.amount_usd for record, _ in pairs]),
            records=[record for record, _ in pairs],
        )


@dataclass(frozen=True)
class FraudSplit:
    train: Part
    validation: Part
    test: Part
    lists: RiskLists


class RulesOnly:
    """The baseline: the default rules, the score the number of rules an order breaks."""

    thresholds = None

    def __init__(self, rules: tuple[Rule, ...] = DEFAULT_RULES) -> None:
        self.rules = rules

    def probability(self, row: dict) -> float:
        return float(len(_matching(self.rules, row)))

    def probabilities(self, rows: list[dict]) -> np.ndarray:
        return np.array([self.probability(row) for row in rows])


def _matching(rules, row: dict) -> list[Rule]:
    return rules_matching(rules, row, market=row.get("market", ""), merchant_ids=frozenset())


class FraudCapability(Capability):
    name = "fraud"
    primary_metric = "pr_auc"
    baseline_name = "rules_only"
    demo_size = "medium"

    def dataset_accepts(self, name: str) -> bool:
        return super().dataset_accepts(name) or name.startswith(CSV_PREFIX)

    def dataset_build(self, name: str = LIVE) -> Dataset:
        if name.startswith(CSV_PREFIX):
            labelled = csv_labelled(Path(name.removeprefix(CSV_PREFIX)))
        else:
            labelled = store_labelled()
        split = split_build(labelled)
        return Dataset(
            train=split,
            holdout=split,
            protocol=_protocol(split),
            window=_window(split),
        )

    def train(self, dataset: Dataset, *, workdir: Path, report: ProgressReport) -> RiskModel:
        split: FraudSplit = dataset.train
        return model_train(
            split.train.rows,
            split.train.labels,
            split.validation.rows,
            split.validation.labels,
            config=ModelConfig(
                block_precision=settings.FRAUD_BLOCK_PRECISION,
                review_rate=settings.FRAUD_REVIEW_RATE,
            ),
            report=report,
        )

    def save(self, model: RiskModel, directory: Path) -> None:
        model.save(directory)

    def load(self, directory: Path) -> RiskModel:
        return RiskModel.load(directory)

    def evaluate(self, predictor, dataset: Dataset) -> dict:
        split: FraudSplit = dataset.holdout
        test = split.test
        probabilities = predictor.probabilities(test.rows)
        blocked = np.array(
            [
                _decision(predictor, row, probability) == "block"
                for row, probability in zip(test.rows, probabilities, strict=True)
            ]
        )
        metrics = risk_metrics(
            probabilities=probabilities,
            labels=test.labels,
            amounts_usd=test.amounts_usd,
            blocked=blocked,
        )
        return metrics | {"p99_ms": _assessment_p99_ms(predictor, split)}

    def baseline(self, dataset: Dataset) -> RulesOnly:
        return RulesOnly()

    def peers(self, dataset: Dataset) -> dict:
        split: FraudSplit = dataset.train
        train, validation = split.train, split.validation
        gbdt = GradientBoostingPeer().fit(
            train.rows,
            train.labels,
            validation.rows,
            validation.labels,
            precision=settings.FRAUD_BLOCK_PRECISION,
            review_rate=settings.FRAUD_REVIEW_RATE,
        )
        return {"rules_only": self.baseline(dataset), "gbdt": gbdt}

    def fallback(self) -> RulesOnly:
        return RulesOnly()


def _decision(predictor, row: dict, probability: float) -> str:
    """What production decides: the default rules beside the predictor's own thresholds (the
    rules alone for the baseline)."""
    from fraud.services import model_action, score_of, threshold_scores

    action = None
    if predictor.thresholds is not None:
        action = model_action(score_of(probability), threshold_scores(predictor.thresholds))
    return decide(_matching(DEFAULT_RULES, row), action).action


def _assessment_p99_ms(predictor, split: FraudSplit) -> float:
    """One assessment of one order, warm, in-process: features from the history, rules, the
    score, and for the model its reason codes; over the first TIMED_ASSESSMENTS test orders
    after 50 warm-up ones."""
    from fraud.ml.features import MemoryHistory

    history = MemoryHistory()
    for record in split.train.records + split.validation.records:
        history.add(record)
    records = split.test.records[: TIMED_ASSESSMENTS + 50]
    timings = []
    for record in records:
        started = time.perf_counter()
        features = features_compute(record, history.activity(record), split.lists)
        probability = predictor.probability(features)
        _decision(predictor, features, probability)
        if hasattr(predictor, "reasons"):
            predictor.reasons(features)
        timings.append(time.perf_counter() - started)
    return round(float(np.percentile(np.array(timings[50:]) * 1000, 99)), 3)


# --- The split -------------------------------------------------------------------------------


def split_build(labelled: Labelled) -> FraudSplit:
    pairs = list(replay(labelled.records, labelled.lists))
    if len(pairs) < 20:
        raise ValueError(f"only {len(pairs)} orders: too few to split and evaluate")
    test_start = len(pairs) - math.ceil(TEST_SHARE * len(pairs))
    test = pairs[test_start:]
    split_at = test[0][0].at
    known = labelled.known_at(datetime.fromtimestamp(split_at, tz=UTC))
    mature_before = split_at - settings.FRAUD_LABEL_MATURITY_DAYS * 86_400
    trainable = [
        (record, features)
        for record, features in pairs[:test_start]
        if record.at <= mature_before or record.order_id in labelled.staff_labelled
    ]
    labels = [known.get(record.order_id, False) for record, _ in trainable]
    validation_start = _validation_start(labels)
    return FraudSplit(
        train=Part.of(trainable[:validation_start], labels[:validation_start]),
        validation=Part.of(trainable[validation_start:], labels[validation_start:]),
        test=Part.of(test, [labelled.truth.get(record.order_id, False) for record, _ in test]),
        lists=labelled.lists,
    )


def _validation_start(labels: list[bool]) -> int:
    """Where the validation part starts: the latest VALIDATION_SHARE of the training orders,
    reaching further back until it holds MIN_VALIDATION_FRAUD frauds (a small store), as long
    as training keeps at least as many."""
    start = len(labels) - math.ceil(VALIDATION_SHARE * len(labels))
    frauds = np.flatnonzero(labels)
    if len(frauds) < 2 * MIN_VALIDATION_FRAUD:
        return start
    return min(start, int(frauds[-MIN_VALIDATION_FRAUD]))


def _protocol(split: FraudSplit) -> str:
    return (
        "authorized orders sorted by time; first 70% train, last 30% test; features replayed "
        "from every prior payment attempt through the checkout's feature code; training labels "
        "as known when the test part starts, on orders older than "
        f"{settings.FRAUD_LABEL_MATURITY_DAYS} days then (or labelled by staff); the latest 20% "
        f"(or more, to hold {MIN_VALIDATION_FRAUD} frauds) of those validate, calibrate and set "
        "the thresholds (block at precision "
        f"{settings.FRAUD_BLOCK_PRECISION}, review the top {settings.FRAUD_REVIEW_RATE:.0%}); "
        "test scored against the truth (the simulation's on the demo store, the label column of a "
        "CSV, the labels known now on a live store); values in US dollars; decisions are the "
        "default rules beside each system's thresholds"
    )


def _window(split: FraudSplit) -> dict:
    def moment(part: Part, index: int) -> str | None:
        if not part.records:
            return None
        return datetime.fromtimestamp(part.records[index].at, tz=UTC).isoformat()

    return {
        "start": moment(split.train, 0),
        "test_start": moment(split.test, 0),
        "end": moment(split.test, -1),
        "train_orders": len(split.train.rows),
        "train_fraud": int(split.train.labels.sum()),
        "validation_orders": len(split.validation.rows),
        "validation_fraud": int(split.validation.labels.sum()),
        "test_orders": len(split.test.rows),
        "test_fraud": int(split.test.labels.sum()),
    }


# --- CSV -------------------------------------------------------------------------------------

CSV_COLUMNS = (
    "time",
    "amount",
    "currency",
    "email_hash",
    "device",
    "card_fingerprint",
    "ip_country",
    "billing_country",
    "shipping_country",
    "card_bin_country",
    "category",
    "account_created_at",
    "outcome",
    "label",
)
CSV_OPTIONAL = (
    "order_id",
    "ip",
    "email_domain",
    "address_hash",
    "market",
    "quantity",
    "lines",
    "risky_share",
    "label_known_at",
)


def records_csv_write(
    path: Path, records: list[PaymentRecord], labels: dict[str, tuple[bool, float | None]]
) -> int:
    """Writes attempts in the CSV format `csv_labelled` reads; `labels` maps an order id to
    (fraud, when the store learned it; None: at the order). Amounts are in US dollars."""

    def moment(seconds: float | None) -> str:
        return "" if seconds is None else datetime.fromtimestamp(seconds, tz=UTC).isoformat()

    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=[*CSV_COLUMNS, *CSV_OPTIONAL])
        writer.writeheader()
        for record in records:
            fraud, known = labels.get(record.order_id, (False, None))
            writer.writerow(
                {
                    "time": moment(record.at),
                    "amount": f"{record.amount_usd:.2f}",
                    "currency": "USD",
                    "email_hash": record.email,
                    "device": record.device,
                    "card_fingerprint": record.card,
                    "ip_country": record.ip_country,
                    "billing_country": record.billing_country,
                    "shipping_country": record.shipping_country,
                    "card_bin_country": record.card_bin_country,
                    "category": record.category,
                    "account_created_at": moment(record.account_created_at),
                    "outcome": record.outcome,
                    "label": "" if record.failed else int(fraud),
                    "order_id": record.order_id,
                    "ip": record.ip,
                    "email_domain": record.email_domain,
                    "address_hash": record.address,
                    "market": record.market,
                    "quantity": record.quantity,
                    "lines": record.lines,
                    "risky_share": record.risky_share,
                    "label_known_at": moment(known),
                }
            )
    return len(records)


def _moment(value: str) -> float:
    value = value.strip()
    try:
        return float(value)
    except ValueError:
        moment = datetime.fromisoformat(value)
        return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


def csv_labelled(path: Path) -> Labelled:
    """Raw attempts exported by a store (columns in docs/fraud.md); amounts in other currencies
    than US dollars are converted at the store's exchange rates of their time."""
    from decimal import Decimal

    from fraud.features import UsdRates

    with path.open(newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [column for column in CSV_COLUMNS if column not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(f"{path}: missing columns {', '.join(missing)}")
        rows = list(reader)
    rates = UsdRates.load() if any(row["currency"] != "USD" for row in rows) else None
    records, truth, known_when = [], {}, {}
    for number, row in enumerate(rows, start=2):
        at = _moment(row["time"])
        order_id = row.get("order_id") or f"line{number}"
        amount = Decimal(row["amount"] or "0")
        amount_usd = (
            float(amount) if row["currency"] == "USD" else rates.to_usd(amount, row["currency"], at)
        )
        category = row["category"]
        records.append(
            PaymentRecord(
                at=at,
                outcome=row["outcome"] or AUTHORIZED,
                amount_usd=amount_usd,
                email=row["email_hash"],
                email_domain=row.get("email_domain", ""),
                device=row["device"],
                ip=row.get("ip", ""),
                card=row["card_fingerprint"],
                address=row.get("address_hash", ""),
                currency=row["currency"],
                market=row.get("market", ""),
                ip_country=row["ip_country"],
                billing_country=row["billing_country"],
                shipping_country=row["shipping_country"],
                card_bin_country=row["card_bin_country"],
                category=category,
                risky_share=float(row.get("risky_share") or _risky(category)),
                quantity=int(row.get("quantity") or 1),
                lines=int(row.get("lines") or 1),
                account_created_at=(
                    _moment(row["account_created_at"]) if row["account_created_at"] else None
                ),
                order_id=order_id,
            )
        )
        if records[-1].outcome == AUTHORIZED:
            truth[order_id] = row["label"].strip() in {"1", "true", "True", "fraud"}
            known_when[order_id] = (
                _moment(row["label_known_at"]) if row.get("label_known_at") else at
            )

    def known_at(moment: datetime) -> dict[str, bool]:
        cutoff = moment.timestamp()
        return {key: value for key, value in truth.items() if known_when[key] <= cutoff}

    return Labelled(records, truth, known_at, frozenset(), risk_lists_get())


def _risky(category: str) -> float:
    from fraud.ml.features import RISKY_CATEGORIES

    return float(category in RISKY_CATEGORIES)
