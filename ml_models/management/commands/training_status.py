import json

from django.core.management.base import BaseCommand

from ml_models.selectors import training_runs_list


class Command(BaseCommand):
    help = "Recent training runs: status, progress, device, heartbeat, and the error of a failure."

    def add_arguments(self, parser):
        parser.add_argument("capability", nargs="?")
        parser.add_argument("--limit", type=int, default=20)
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, capability: str | None, limit: int, json: bool, **options):
        runs = list(training_runs_list(capability=capability)[:limit])
        if json:
            self.stdout.write(_json_dumps([_run_row(run) for run in runs]))
            return
        if not runs:
            self.stdout.write("No training runs yet.")
            return
        self.stdout.write(
            f"{'run':>5} {'capability':<24} {'status':<10} {'progress':>8} {'heartbeat':<19} "
            f"{'device':<24} version"
        )
        for run in runs:
            heartbeat = f"{run.heartbeat_at:%Y-%m-%d %H:%M:%S}" if run.heartbeat_at else "-"
            version = f"v{run.model_version.version}" if run.model_version else "-"
            self.stdout.write(
                f"{run.pk:>5} {run.capability:<24} {run.status:<10} {run.progress:>8.0%} "
                f"{heartbeat:<19} {run.device[:24]:<24} {version}"
            )
            if run.error:
                self.stdout.write(f"      error: {run.error}")


def _run_row(run) -> dict:
    return {
        "id": run.pk,
        "capability": run.capability,
        "status": run.status,
        "progress": run.progress,
        "device": run.device,
        "attempts": run.attempts,
        "started_at": run.started_at,
        "heartbeat_at": run.heartbeat_at,
        "finished_at": run.finished_at,
        "model_version": run.model_version.version if run.model_version else None,
        "error": run.error,
    }


def _json_dumps(rows: list[dict]) -> str:
    return json.dumps(rows, default=str)
