"""The artifact store and the quality gate: pure functions, no database."""

import json

import pytest

from ml_models.ml.artifacts import (
    MANIFEST,
    ArtifactError,
    artifact_publish,
    artifact_verify,
    staging_dir,
    staging_remove,
)
from ml_models.ml.gate import gate_decide


def staged(root, run_id: int, content: bytes = b"weights"):
    staging = staging_dir(root, "toy", run_id)
    (staging / "nested").mkdir(parents=True)
    (staging / "weights.bin").write_bytes(content)
    (staging / "nested" / "vocab.txt").write_text("a\nb\n")
    return staging


def test_publish_renames_the_staging_directory_to_the_next_version_with_a_manifest(tmp_path):
    version, path, manifest = artifact_publish(
        staged(tmp_path, 1), root=tmp_path, capability="toy", metadata={"metrics": {"auc": 0.9}}
    )

    assert (version, path) == (1, tmp_path / "toy" / "1")
    assert not staging_dir(tmp_path, "toy", 1).exists()
    assert json.loads((path / MANIFEST).read_text()) == manifest
    assert manifest["version"] == 1 and manifest["metrics"] == {"auc": 0.9}
    assert set(manifest["files"]) == {"weights.bin", "nested/vocab.txt"}
    # sha256 of b"weights", computed with `printf weights | sha256sum`
    assert manifest["files"]["weights.bin"] == (
        "9a129038d9a00aed0cf6a7ea059ca50a813449061ab87848cf1a13eafdf33b2c"
    )
    assert artifact_verify(path, expected_files=manifest["files"]) == manifest


def test_publish_skips_a_number_another_writer_took(tmp_path):
    artifact_publish(staged(tmp_path, 1), root=tmp_path, capability="toy", metadata={})

    version, _, _ = artifact_publish(
        staged(tmp_path, 2), root=tmp_path, capability="toy", metadata={}, after_version=0
    )
    assert version == 2

    # A writer that read "newest is 2" from the registry while a third version was landing:
    (tmp_path / "toy" / "3").mkdir()
    (tmp_path / "toy" / "3" / "weights.bin").write_bytes(b"other")
    version, _, _ = artifact_publish(
        staged(tmp_path, 3), root=tmp_path, capability="toy", metadata={}, after_version=2
    )
    assert version == 4
    assert (tmp_path / "toy" / "3" / "weights.bin").read_bytes() == b"other"


def test_publish_refuses_an_empty_staging_directory(tmp_path):
    staging = staging_dir(tmp_path, "toy", 1)
    staging.mkdir(parents=True)

    with pytest.raises(ArtifactError, match="holds no files"):
        artifact_publish(staging, root=tmp_path, capability="toy", metadata={})


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda path: (path / "weights.bin").write_bytes(b"weightz"), "altered: weights.bin"),
        (lambda path: (path / "nested" / "vocab.txt").unlink(), "nested/vocab.txt"),
        (lambda path: (path / "extra.bin").write_bytes(b"?"), "extra.bin"),
        (lambda path: (path / MANIFEST).unlink(), "no manifest.json"),
        (lambda path: (path / MANIFEST).write_text("{not json"), "cannot be read"),
    ],
)
def test_verify_refuses_a_damaged_artifact(tmp_path, damage, message):
    _, path, manifest = artifact_publish(
        staged(tmp_path, 1), root=tmp_path, capability="toy", metadata={}
    )
    damage(path)

    with pytest.raises(ArtifactError, match=message):
        artifact_verify(path, expected_files=manifest["files"])


def test_verify_refuses_files_and_manifest_changed_together(tmp_path):
    _, path, manifest = artifact_publish(
        staged(tmp_path, 1), root=tmp_path, capability="toy", metadata={}
    )
    recorded = dict(manifest["files"])
    (path / "weights.bin").write_bytes(b"swapped")
    # Someone rewrites the manifest to match the swapped file (`printf swapped | sha256sum`):
    manifest["files"]["weights.bin"] = (
        "37e0d51511fee340586cfec5f4138944bc9c224bf2e678f2177c52c7bb0618e5"
    )
    (path / MANIFEST).write_text(json.dumps(manifest))

    with pytest.raises(ArtifactError, match="does not match the registry"):
        artifact_verify(path, expected_files=recorded)


def test_staging_remove_deletes_only_staging_directories(tmp_path):
    staging = staged(tmp_path, 5)

    assert staging_remove(staging) is True
    assert staging_remove(staging) is False
    with pytest.raises(ValueError, match="not a staging directory"):
        staging_remove(tmp_path / "toy")


def gate(**overrides):
    arguments = {
        "metric": "auc",
        "higher_is_better": True,
        "candidate": 0.80,
        "baseline": 0.50,
        "active": 0.78,
        "tolerance": 0.0,
    } | overrides
    return gate_decide(**arguments)


def test_gate_passes_a_candidate_that_beats_the_baseline_and_the_active_version():
    decision = gate()

    assert decision["passed"] is True and decision["reasons"] == []
    assert (decision["candidate"], decision["baseline"], decision["active"]) == (0.8, 0.5, 0.78)


def test_gate_without_an_active_version_needs_only_to_beat_the_baseline():
    assert gate(active=None)["passed"] is True
    assert gate(active=None, candidate=0.5)["reasons"] == [
        "auc 0.5000 does not beat the baseline's 0.5000"
    ]


def test_gate_rejects_a_candidate_behind_the_active_version_beyond_the_tolerance():
    assert gate(candidate=0.78)["passed"] is False  # a tie is not a win
    # 0.775 is 0.64 % behind 0.78: inside a 1 % tolerance, outside 0.5 %.
    assert gate(candidate=0.775, tolerance=0.01)["passed"] is True
    assert gate(candidate=0.775, tolerance=0.005)["reasons"] == [
        "auc 0.7750 does not beat the active version's 0.7800 within a tolerance of 0.5%"
    ]


def test_gate_for_a_metric_where_lower_is_better():
    assert gate(higher_is_better=False, candidate=0.9, baseline=1.0, active=0.95)["passed"]
    assert not gate(higher_is_better=False, candidate=1.1, baseline=1.0, active=None)["passed"]


def test_gate_rejects_a_candidate_whose_metric_is_not_a_number():
    assert gate(candidate=float("nan"))["reasons"] == ["the candidate's auc is not a number"]
