"""Recommendations on the ML platform: `evaluate` on a merchant's CSV export, training on the
store's own events through the registry."""

import csv
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from ml_models.loader import loaders_reset, predictor_get
from ml_models.models import ModelVersion

CAPABILITY = "recommendations.capability.RecommendationsCapability"
TINY_GRID = [
    {"dim": 8, "epochs": 5, "dropout": 0.0, "decay": 0.9},
    {"dim": 8, "epochs": 5, "dropout": 0.0, "decay": 0.5},
]


@pytest.fixture(autouse=True)
def tiny_model(settings):
    settings.ML_CAPABILITIES = [CAPABILITY]
    settings.RECOMMENDATIONS_TUNING_GRID = TINY_GRID
    settings.ML_LOADER_POLL_SECONDS = 0
    loaders_reset()
    yield
    loaders_reset()


def export_write(path, *, users: int = 40) -> None:
    """A merchant's export: each user walks a chain of items, one step a day."""
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["user_id", "item_id", "timestamp", "weight"])
        for user in range(users):
            for step in range(6 + user % 4):
                item = f"sku-{(user % 5 + step) % 12}"
                writer.writerow([f"shopper-{user}", item, f"2026-03-{step + 1:02d}T10:00:00", 1])


def test_evaluate_on_a_csv_export_reports_the_model_and_every_baseline(tmp_path):
    export_write(tmp_path / "export.csv")
    out = StringIO()

    call_command(
        "evaluate",
        "recommendations",
        "--dataset",
        f"csv:{tmp_path / 'export.csv'}",
        "--json",
        stdout=out,
        stderr=StringIO(),
    )

    report = json.loads(out.getvalue().splitlines()[-1])
    assert report["primary_metric"] == "recall@20"
    assert report["protocol"].startswith("per-user temporal split")
    assert set(report["results"]) == {"model", "popularity", "item_knn", "implicit_als"}
    for system in report["results"].values():
        assert {"recall@20", "ndcg@10", "coverage@20", "trials"} <= set(system)
    assert report["results"]["model"]["trials"] == 2
    assert report["results"]["implicit_als"]["trials"] == 18
    assert report["results"]["popularity"]["trials"] == 1
    assert report["window"]["users"] == 40


def test_evaluate_refuses_a_csv_export_with_a_bad_row(tmp_path):
    (tmp_path / "bad.csv").write_text("user_id,item_id,timestamp\nu1,i1,yesterday\n")

    # A command error (a message, not a traceback) that names the line.
    with pytest.raises(CommandError, match="line 2"):
        call_command(
            "evaluate",
            "recommendations",
            "--dataset",
            f"csv:{tmp_path / 'bad.csv'}",
            stdout=StringIO(),
            stderr=StringIO(),
        )


def test_evaluate_refuses_an_unknown_dataset():
    with pytest.raises(CommandError, match="recommendations has no dataset 'netflix'"):
        call_command("evaluate", "recommendations", "--dataset", "netflix")


@pytest.mark.django_db(transaction=True)
def test_the_model_trains_on_shopper_events_and_is_served_through_the_registry(shopper_events):
    out = StringIO()
    call_command("retrain", "recommendations", "--sync", "--force", stdout=out, stderr=StringIO())

    version = ModelVersion.objects.get(capability="recommendations")
    assert version.status == "active" and version.gate["decision"] in {"promoted", "forced"}
    assert version.metrics["trials"] == 2 and 0 <= version.metrics["recall@20"] <= 1
    assert version.gate["baseline_name"] == "popularity"
    assert set(version.files) == {"model.npz", "items.npy", "markets.npy", "training.json"}
    served = predictor_get("recommendations")
    assert served.provenance == {"source": "model", "model_version": 1}
    # The items seen in train (one product is only ever viewed last, so it is only in test).
    assert set(served.predictor.item_ids) < {product.pk for product in shopper_events}
    assert version.data_window["users"] == 40
    assert version.data_window["items"] == len(served.predictor.item_ids) == 11


@pytest.mark.django_db
def test_on_the_stores_own_events_market_popularity_is_reported_beside_the_baselines(store):
    from recommendations.capability import RecommendationsCapability

    capability = RecommendationsCapability()
    dataset = capability.dataset_build("live")

    peers = capability.peers(dataset)

    assert set(peers) == {"popularity", "item_knn", "implicit_als", "market_popularity"}
    assert set(dataset.context["user_markets"]) == {store.market.pk}
    assert "recall@20" in capability.evaluate(peers["market_popularity"], dataset)
