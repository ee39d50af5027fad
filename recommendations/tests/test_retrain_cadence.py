"""A registry retrain reuses the active version's recent tuning instead of tuning every night;
`evaluate` and `retrain --tune` always tune; the index is built on the dataset the model was."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from ml_models.loader import loaders_reset
from ml_models.models import ModelVersion
from recommendations import capability as recommendations_capability
from recommendations import features

MODEL = "recommendations.capability.RecommendationsCapability"
INDEX = "recommendations.capability.RecommendationsIndexCapability"
TINY_GRID = [
    {"dim": 8, "epochs": 5, "dropout": 0.0, "decay": 0.9},
    {"dim": 8, "epochs": 5, "dropout": 0.0, "decay": 0.5},
]

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def tiny_model(settings):
    settings.ML_CAPABILITIES = [MODEL]
    settings.RECOMMENDATIONS_TUNING_GRID = TINY_GRID
    settings.RECOMMENDATIONS_TUNE_EVERY_DAYS = 7
    settings.ML_LOADER_POLL_SECONDS = 0
    loaders_reset()
    yield
    loaders_reset()


@pytest.fixture
def tunings(monkeypatch) -> list:
    """The grids the model was tuned over, one entry per tuning."""
    tuned = []
    original_tune = recommendations_capability.tune

    def tune_recorded(build, grid, split):
        tuned.append(grid)
        return original_tune(build, grid, split)

    monkeypatch.setattr(recommendations_capability, "tune", tune_recorded)
    return tuned


def retrain(*options: str) -> ModelVersion:
    call_command("retrain", "recommendations", "--sync", "--force", *options, stdout=StringIO())
    return ModelVersion.objects.filter(capability="recommendations").latest("version")


def test_retrains_within_the_window_reuse_the_tuning_of_the_version_that_tuned(
    shopper_events, tunings
):
    tuned = retrain()
    assert len(tunings) == 1
    assert tuned.metrics["trials"] == 2 and tuned.metrics["grid"] == TINY_GRID
    assert "tuned_in_version" not in tuned.metrics  # it is the version that tuned

    second = retrain()
    third = retrain()

    assert len(tunings) == 1
    for reused in (second, third):
        assert reused.status == "active"
        assert {key: reused.metrics[key] for key in ("params", "trials", "tuned_at")} == {
            key: tuned.metrics[key] for key in ("params", "trials", "tuned_at")
        }
        assert reused.metrics["tuned_in_version"] == 1  # carried forward, not "the one before"


def test_a_retrain_after_the_window_tunes_again(shopper_events, tunings):
    tuned = retrain()
    eight_days_ago = (timezone.now() - timedelta(days=8)).isoformat()
    ModelVersion.objects.filter(pk=tuned.pk).update(
        metrics={**tuned.metrics, "tuned_at": eight_days_ago}
    )

    retuned = retrain()

    assert len(tunings) == 2
    assert retuned.metrics["tuned_at"] > tuned.metrics["tuned_at"]
    assert "tuned_in_version" not in retuned.metrics


def test_a_changed_grid_tunes_again(shopper_events, tunings, settings):
    retrain()
    settings.RECOMMENDATIONS_TUNING_GRID = [*TINY_GRID, {**TINY_GRID[0], "decay": 0.7}]

    retuned = retrain()

    assert tunings == [TINY_GRID, settings.RECOMMENDATIONS_TUNING_GRID]
    assert retuned.metrics["trials"] == 3 and "tuned_in_version" not in retuned.metrics


def test_retrain_with_tune_tunes_even_when_the_tuning_is_recent(shopper_events, tunings):
    retrain()

    retuned = retrain("--tune")

    assert len(tunings) == 2 and "tuned_in_version" not in retuned.metrics
    with pytest.raises(CommandError, match="--tune needs --sync"):
        call_command("retrain", "recommendations", "--tune", stdout=StringIO())


def test_evaluate_always_tunes(shopper_events, tunings):
    retrain()

    call_command(
        "evaluate", "recommendations", "--dataset", "live", stdout=StringIO(), stderr=StringIO()
    )

    assert tunings.count(TINY_GRID) == 2  # the peers tune too (implicit ALS, its own grid)


def test_the_index_is_built_on_the_dataset_the_model_was_and_still_builds_alone(
    shopper_events, settings, monkeypatch
):
    settings.ML_CAPABILITIES = [MODEL, INDEX]
    loads = []
    original_load = features.interactions_from_events

    def load_counted():
        loads.append(1)
        return original_load()

    monkeypatch.setattr(features, "interactions_from_events", load_counted)

    call_command("retrain", "recommendations", "--sync", "--force", stdout=StringIO())

    assert len(loads) == 1
    index = ModelVersion.objects.get(capability="recommendations.index")
    assert index.inputs == {"recommendations": 1}
    assert index.data_window == ModelVersion.objects.get(capability="recommendations").data_window

    call_command("retrain", "recommendations.index", "--sync", "--force", stdout=StringIO())

    assert len(loads) == 2
    assert ModelVersion.objects.filter(capability="recommendations.index").count() == 2
