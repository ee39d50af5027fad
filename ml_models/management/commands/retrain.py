from django.core.management.base import BaseCommand, CommandError

from ml_models.models import TrainingRun
from ml_models.services import training_runs_create, training_runs_enqueue, training_runs_execute
from storefront.errors import StorefrontError


class Command(BaseCommand):
    help = (
        "Retrains a capability (with its components), or `all`: queued on the `training` queue, "
        "or run here with --sync. A new version is promoted only if it passes the quality gate, "
        "unless --force. A capability may reuse what its active version learned (the "
        "recommender reuses its tuning for RECOMMENDATIONS_TUNE_EVERY_DAYS); --tune does not."
    )

    def add_arguments(self, parser):
        parser.add_argument("capability", help="A capability, a component, or `all`.")
        parser.add_argument("--sync", action="store_true", help="Train here, printing progress.")
        parser.add_argument("--force", action="store_true", help="Promote whatever the gate says.")
        parser.add_argument(
            "--if-missing",
            action="store_true",
            help="Only what has no active version yet (a set-up step that can run again).",
        )
        parser.add_argument(
            "--tune",
            action="store_true",
            help=(
                "Tune afresh instead of reusing the active version's recent tuning "
                "(with --sync; queued runs tune when RECOMMENDATIONS_TUNE_EVERY_DAYS is due)."
            ),
        )

    def handle(
        self,
        *args,
        capability: str,
        sync: bool,
        force: bool,
        if_missing: bool,
        tune: bool,
        **options,
    ):
        if tune and not sync:
            # A queued run carries only its id to the worker; nothing there could say "tune".
            raise CommandError("--tune needs --sync.")
        create = training_runs_create if sync else training_runs_enqueue
        try:
            runs = create(
                capability=capability, force=force, requested_by="cli", only_missing=if_missing
            )
        except StorefrontError as exc:
            raise CommandError(exc.message) from exc
        if not runs:
            self.stdout.write("Nothing to train.")
            return
        if not sync:
            for run in runs:
                self.stdout.write(f"queued training run {run.pk} ({run.capability})")
            self.stdout.write("Follow them with `manage.py training_status`.")
            return
        try:
            training_runs_execute(
                run_ids=[run.pk for run in runs], echo=self._progress_print, tune=tune
            )
        except Exception as exc:
            self.stderr.write(f"training failed: {type(exc).__name__}: {exc}")
        self._outcome_print(runs)

    def _progress_print(self, fraction: float, message: str) -> None:
        self.stdout.write(f"{fraction:4.0%} {message}")

    def _outcome_print(self, runs: list[TrainingRun]) -> None:
        failed = []
        for run in runs:
            run.refresh_from_db()
            version = run.model_version
            if run.status == TrainingRun.Status.SUCCEEDED:
                self.stdout.write(
                    f"run {run.pk}: {run.capability} v{version.version} is {version.status} "
                    f"(gate: {version.gate.get('decision')})"
                )
            else:
                failed.append(run)
                self.stdout.write(f"run {run.pk}: {run.capability} {run.status}: {run.error}")
        if failed:
            raise CommandError(f"{len(failed)} of {len(runs)} training runs failed.")
