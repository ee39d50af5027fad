"""Promotions racing each other leave exactly one active version (PostgreSQL)."""

from io import StringIO

import pytest
from django.core.management import call_command

from ml_models.models import ModelVersion
from ml_models.services import model_version_promote, model_version_rollback
from tests.concurrency import needs_postgresql, run_together

ROUNDS = 5


def promote(version: int):
    return lambda: model_version_promote(capability="toy", version=version, force=True)


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_concurrent_promotions_and_rollbacks_leave_exactly_one_active_version():
    for _ in range(3):
        call_command("retrain", "toy", "--sync", "--force", stdout=StringIO(), stderr=StringIO())

    for round_ in range(ROUNDS):
        results = run_together(
            promote(1 + round_ % 3),
            promote(1 + (round_ + 1) % 3),
            lambda: model_version_rollback(capability="toy"),
        )

        active = ModelVersion.objects.filter(capability="toy", status="active")
        assert active.count() == 1, (round_, results)
        errors = [result for result in results if isinstance(result, BaseException)]
        # A promotion that finds its version already active is refused; nothing else fails.
        assert all("already active" in str(error) for error in errors), errors
