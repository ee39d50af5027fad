"""The lifecycle of a model as ops drive it: train, gate, promote, serve, swap, roll back."""

import json
from io import StringIO
from pathlib import Path

import numpy as np
import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError

from ml_models.capabilities import capabilities_all, capability_names_expand
from ml_models.loader import predictor_get
from ml_models.ml.artifacts import MANIFEST, file_sha256
from ml_models.models import ModelVersion, TrainingRun
from ml_models.services import model_version_promote, model_version_rollback
from ml_models.tests.conftest import INVERTED_TOY, TOY
from storefront.errors import Conflict

# Promotions reach other processes after commit, as in production.
pytestmark = pytest.mark.django_db(transaction=True)

PROBE = np.array([[2.0, -2.0, 0.0, 0.0]])  # clearly positive under the true weights


def retrain(*arguments: str) -> str:
    out = StringIO()
    call_command("retrain", "toy", "--sync", *arguments, stdout=out, stderr=StringIO())
    return out.getvalue()


def version(number: int) -> ModelVersion:
    return ModelVersion.objects.get(capability="toy", version=number)


def test_a_trained_version_is_registered_with_its_artifact_and_promoted():
    output = retrain()

    first = version(1)
    run = TrainingRun.objects.get()
    assert "epoch 4/4" in output and "toy v1 is active" in output
    assert first.status == ModelVersion.Status.ACTIVE and first.activated_at
    assert first.metrics["roc_auc"] > 0.8
    assert first.gate["decision"] == "promoted" and first.gate["baseline"] == 0.5
    assert first.data_window == {"start": "2026-01-01", "end": "2026-01-31", "rows": 600}
    assert first.device == run.device == "CPU"
    assert {"python", "numpy", "tensorflow", "keras"} <= set(first.libraries)
    path = Path(first.artifact_path)
    assert path.name == "1" and path.parent.name == "toy"
    assert first.files == {"weights.npz": file_sha256(path / "weights.npz")}
    manifest = json.loads((path / MANIFEST).read_text())
    assert manifest["files"] == first.files and manifest["version"] == 1
    assert manifest["training_run"] == run.pk
    assert run.status == TrainingRun.Status.SUCCEEDED and run.progress == 1.0
    assert run.model_version == first and "quality gate: promoted" in run.log_tail
    assert not list(path.parent.glob(".staging-*"))


def test_the_gate_keeps_a_worse_candidate_out_and_force_lets_it_in(settings):
    retrain()
    settings.ML_CAPABILITIES = [INVERTED_TOY]

    retrain()
    worse = version(2)

    assert worse.status == ModelVersion.Status.CANDIDATE
    assert worse.gate["decision"] == "rejected" and not worse.gate["passed"]
    assert worse.gate["active_version"]["version"] == 1
    # The active version was re-scored on the candidate's held-out data.
    assert worse.gate["active"] == pytest.approx(version(1).metrics["roc_auc"])
    assert any("baseline" in reason for reason in worse.gate["reasons"])
    assert version(1).status == ModelVersion.Status.ACTIVE
    with pytest.raises(Conflict, match="quality gate rejected"):
        model_version_promote(capability="toy", version=2)

    retrain("--force")

    assert version(3).status == ModelVersion.Status.ACTIVE
    assert version(3).gate["decision"] == "forced"
    assert version(1).status == ModelVersion.Status.RETIRED


def test_a_candidate_must_beat_the_active_version_not_only_the_baseline(settings):
    retrain()

    retrain()  # the same data and seed: equal, not better, so it stays a candidate

    second = version(2)
    assert second.gate["passed"] is False
    assert second.gate["reasons"] == [
        f"roc_auc {second.gate['candidate']:.4f} does not beat the active version's "
        f"{second.gate['active']:.4f}"
    ]
    settings.ML_GATE_TOLERANCE = 0.01
    retrain()
    assert version(3).status == ModelVersion.Status.ACTIVE


def test_the_loader_serves_the_baseline_then_swaps_to_each_promoted_version_without_restart(
    settings,
):
    before = predictor_get("toy")
    assert before.provenance == {"source": "baseline:prior", "model_version": None}
    assert before.predictor.predict(PROBE)[0] == 0.5

    retrain()
    first = predictor_get("toy")
    assert first.provenance == {"source": "model", "model_version": 1}
    assert first.predictor.predict(PROBE)[0] > 0.9
    assert predictor_get("toy") is first  # one predictor per process

    settings.ML_CAPABILITIES = [INVERTED_TOY]
    retrain("--force")
    second = predictor_get("toy")
    assert second.provenance == {"source": "model", "model_version": 2}
    assert second.predictor.predict(PROBE)[0] < 0.1

    model_version_rollback(capability="toy")
    assert predictor_get("toy").provenance["model_version"] == 1
    assert version(2).status == ModelVersion.Status.RETIRED


def test_the_loader_checks_for_a_new_version_only_every_poll_interval(settings):
    retrain()
    settings.ML_LOADER_POLL_SECONDS = 3600
    first = predictor_get("toy")
    settings.ML_CAPABILITIES = [INVERTED_TOY]
    retrain("--force")

    assert predictor_get("toy") is first
    settings.ML_LOADER_POLL_SECONDS = 0
    assert predictor_get("toy").model_version == 2


def test_a_corrupted_artifact_is_refused_and_the_previous_version_keeps_serving(settings):
    retrain()
    assert predictor_get("toy").model_version == 1
    settings.ML_CAPABILITIES = [INVERTED_TOY]
    retrain()  # v2, rejected by the gate
    weights = Path(version(2).artifact_path) / "weights.npz"
    weights.write_bytes(weights.read_bytes()[:-10] + b"0123456789")

    with pytest.raises(Conflict, match=r"files missing or altered: weights\.npz"):
        model_version_promote(capability="toy", version=2, force=True)

    assert version(1).status == ModelVersion.Status.ACTIVE
    assert predictor_get("toy").model_version == 1


def test_a_version_corrupted_after_promotion_is_not_loaded_and_the_old_predictor_serves(settings):
    retrain()
    serving = predictor_get("toy")
    settings.ML_CAPABILITIES = [INVERTED_TOY]
    retrain("--force")
    (Path(version(2).artifact_path) / "weights.npz").unlink()  # a disk that lost a file

    assert predictor_get("toy") is serving
    assert predictor_get("toy") is serving  # refused once, not retried on every call


def test_a_missing_artifact_directory_is_refused_by_rollback():
    retrain()
    retrain("--force")  # v2 active, v1 retired
    for path in Path(version(1).artifact_path).iterdir():
        path.unlink()
    Path(version(1).artifact_path).rmdir()

    with pytest.raises(Conflict, match=r"no manifest\.json"):
        model_version_rollback(capability="toy")
    assert version(2).status == ModelVersion.Status.ACTIVE


def test_the_database_allows_one_active_version_per_capability():
    retrain()
    retrain("--force")

    with pytest.raises(IntegrityError):
        ModelVersion.objects.filter(capability="toy").update(status=ModelVersion.Status.ACTIVE)


def test_models_commands_list_promote_and_roll_back():
    retrain()
    retrain()  # v2: a candidate (not better than v1)
    out = StringIO()

    call_command("models", "promote", "toy", "2", "--force", stdout=out)
    call_command("models", "list", "--json", stdout=out)
    listed = json.loads(out.getvalue().splitlines()[-1])
    call_command("models", "rollback", "toy", stdout=out)

    assert "toy v2 is active" in out.getvalue()
    assert [(row["version"], row["status"]) for row in listed] == [(2, "active"), (1, "retired")]
    assert "rolled back: toy v1 is active" in out.getvalue()
    with pytest.raises(CommandError, match="toy has no version 9"):
        call_command("models", "promote", "toy", "9")
    with pytest.raises(CommandError, match="already active"):
        call_command("models", "promote", "toy", "1")


def test_retrain_refuses_an_unknown_capability_and_queues_runs_without_sync(
    django_capture_on_commit_callbacks, in_process_tasks
):
    with pytest.raises(CommandError, match="Unknown capability 'nope'"):
        call_command("retrain", "nope")

    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):  # in-process tasks run on commit
        call_command("retrain", "all", stdout=out, stderr=StringIO())

    assert "queued training run" in out.getvalue()
    assert version(1).status == ModelVersion.Status.ACTIVE


def test_training_status_shows_runs_and_their_errors():
    retrain()
    out = StringIO()

    call_command("training_status", "--json", stdout=out)

    [row] = json.loads(out.getvalue())
    assert row["status"] == "succeeded" and row["model_version"] == 1 and row["device"] == "CPU"


def test_a_component_is_versioned_on_its_own_and_records_what_it_was_built_from(settings):
    settings.ML_CAPABILITIES = ["ml_models.tests.toy.ToyIndexCapability", TOY]
    assert list(capabilities_all()) == ["toy", "toy.index"]  # dependencies first
    assert capability_names_expand("toy") == ["toy", "toy.index"]

    retrain()  # the model, then its index
    call_command("retrain", "toy.index", "--sync", "--force", stdout=StringIO())

    index = ModelVersion.objects.get(capability="toy.index", version=2)
    assert index.inputs == {"toy": 1} and index.status == ModelVersion.Status.ACTIVE
    assert version(1).status == ModelVersion.Status.ACTIVE
    assert not ModelVersion.objects.filter(capability="toy", version=2).exists()
    assert predictor_get("toy.index").provenance == {"source": "model", "model_version": 2}


def test_retrain_if_missing_trains_only_what_has_no_active_version():
    out = StringIO()

    call_command("retrain", "toy", "--sync", "--if-missing", stdout=out, stderr=StringIO())
    call_command("retrain", "toy", "--sync", "--if-missing", stdout=out, stderr=StringIO())

    assert list(ModelVersion.objects.values_list("version", flat=True)) == [1]
    assert out.getvalue().rstrip().endswith("Nothing to train.")
