"""`manage.py evaluate`: one JSON line last on stdout, logs on stderr, nothing written anywhere."""

import json
import sqlite3
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from ml_models.models import ModelVersion, TrainingRun
from ml_models.tests.processes import isolated_environment, manage


@pytest.mark.django_db
def test_evaluate_reports_the_model_and_its_baseline_on_one_split_and_registers_nothing():
    out, err = StringIO(), StringIO()

    call_command("evaluate", "toy", "--dataset", "synthetic", "--json", stdout=out, stderr=err)

    report = json.loads(out.getvalue().strip().splitlines()[-1])
    assert report["capability"] == "toy" and report["dataset"] == "synthetic"
    assert report["protocol"] == "first 400 rows train, last 200 held out"
    assert report["primary_metric"] == "roc_auc"
    assert set(report["results"]) == {"model", "prior"}
    assert report["results"]["model"]["roc_auc"] > 0.8
    assert report["results"]["prior"]["roc_auc"] == 0.5
    assert set(report["seconds"]) == {"dataset", "train", "evaluate"}
    assert not ModelVersion.objects.exists() and not TrainingRun.objects.exists()


@pytest.mark.django_db
def test_evaluate_without_json_prints_a_table():
    out = StringIO()

    call_command("evaluate", "toy", "--dataset", "synthetic", stdout=out, stderr=StringIO())

    assert "model" in out.getvalue() and "prior" in out.getvalue() and "roc_auc" in out.getvalue()


def test_evaluate_refuses_unknown_capabilities_and_datasets():
    with pytest.raises(CommandError, match="Unknown capability 'nope'"):
        call_command("evaluate", "nope")
    with pytest.raises(CommandError, match="toy has no dataset 'imagenet'"):
        call_command("evaluate", "toy", "--dataset", "imagenet")


def _tables(database: Path) -> list[str]:
    if not database.exists():
        return []
    with sqlite3.connect(database) as connection:
        return [row[0] for row in connection.execute("SELECT name FROM sqlite_master")]


def test_evaluate_on_the_demo_store_builds_it_in_a_throwaway_database(tmp_path):
    env = isolated_environment(tmp_path)
    completed = manage(
        "evaluate", "toy", "--json", "--dataset", "demo", "--demo-size", "tiny", env=env
    )

    report = json.loads(completed.stdout.splitlines()[-1])
    assert report["dataset"] == "demo (tiny, seed 0, ending 2026-10-31)"
    assert set(report["results"]) == {"model", "prior"}
    assert "demo:" in completed.stderr  # the seeding logs went to stderr
    # The configured database was never touched: no migrate or seed needed, nothing written.
    assert _tables(tmp_path / "db.sqlite3") == []
    assert not (tmp_path / "artifacts").exists()
