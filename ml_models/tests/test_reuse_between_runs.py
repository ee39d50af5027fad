"""What one registry run hands the next: the active version's record (`Dataset.learned`), and,
within one retrain, the datasets already built."""

import pytest

from ml_models.capabilities import Learned, dataset_get, datasets_shared
from ml_models.models import ModelVersion
from ml_models.services import training_runs_create, training_runs_execute
from ml_models.tests.toy import ToyCapability


@pytest.fixture
def learned_seen(monkeypatch) -> list:
    """What `train` was told the active version learned, run after run."""
    seen = []
    original_train = ToyCapability.train

    def train_recording(self, dataset, **kwargs):
        seen.append(dataset.learned)
        return original_train(self, dataset, **kwargs)

    monkeypatch.setattr(ToyCapability, "train", train_recording)
    return seen


def retrain(*, tune: bool = False) -> None:
    runs = training_runs_create(capability="toy", force=True)
    training_runs_execute(run_ids=[run.pk for run in runs], tune=tune)


@pytest.mark.django_db(transaction=True)
def test_a_registry_retrain_is_told_what_the_active_version_recorded(learned_seen):
    retrain()
    retrain()

    first = ModelVersion.objects.get(capability="toy", version=1)
    assert learned_seen == [None, Learned(version=1, record=first.metrics)]
    assert "roc_auc" in first.metrics


@pytest.mark.django_db(transaction=True)
def test_a_retrain_asked_to_tune_is_told_nothing(learned_seen):
    retrain()
    retrain(tune=True)

    assert learned_seen == [None, None]


def test_within_a_shared_block_a_dataset_is_built_once_and_forgotten_after(monkeypatch):
    builds = []
    original_build = ToyCapability.dataset_build

    def build_counted(self, name="live"):
        builds.append(name)
        return original_build(self, name)

    monkeypatch.setattr(ToyCapability, "dataset_build", build_counted)
    toy = ToyCapability()

    with datasets_shared():
        first = dataset_get(toy, "live")
        assert dataset_get(ToyCapability(), "live") is first
        dataset_get(toy, "synthetic")
    assert builds == ["live", "synthetic"]

    assert dataset_get(toy, "live") is not first  # outside a block: built every time
    assert builds == ["live", "synthetic", "live"]
