import json
import logging
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from ml_models.capabilities import DEMO, LIVE, capability_get
from ml_models.evaluation import evaluation_report, throwaway_environment
from storefront.demo.config import SIZES
from storefront.errors import StorefrontError

logger = logging.getLogger(__name__)

# The demo store's history ends on a fixed day, so that reports of different versions of the
# project are computed on the same data.
DEMO_END = date(2026, 10, 31)
THROWAWAY_FLAG = "--in-throwaway-database"


class Command(BaseCommand):
    help = (
        "Trains a capability's model and scores it beside its baselines and peers on one split. "
        "Writes nothing to the registry. `--dataset demo` builds the demo store in a throwaway "
        "database first. With --json the last line of standard output is the report."
    )

    def add_arguments(self, parser):
        parser.add_argument("capability")
        parser.add_argument("--dataset", default=DEMO)
        parser.add_argument("--json", action="store_true", help="One line of JSON, last.")
        parser.add_argument(
            "--demo-size",
            choices=list(SIZES),
            help="Size of the throwaway demo store (default: the capability's, e.g. small).",
        )
        parser.add_argument(
            "--freq", help="forecasting, csv: the series' frequency (default: inferred)"
        )
        parser.add_argument(
            "--horizon", type=int, help="forecasting, csv: the held-out points per series"
        )
        parser.add_argument(THROWAWAY_FLAG, action="store_true", help="(internal)")

    def handle(self, *args, capability: str, dataset: str, json: bool, demo_size, **options):
        try:
            chosen = capability_get(capability)
        except StorefrontError as exc:
            raise CommandError(exc.message) from exc
        demo_size = demo_size or chosen.demo_size
        if not chosen.dataset_accepts(dataset):
            raise CommandError(
                f"{capability} has no dataset {dataset!r}; "
                f"choose one of {', '.join(chosen.datasets())}."
            )
        dataset_options = {
            name: options[name] for name in ("freq", "horizon") if options[name] is not None
        }
        refused = set(dataset_options) - set(chosen.dataset_options)
        if refused:
            raise CommandError(f"{capability} takes no --{', --'.join(sorted(refused))}.")
        if dataset == DEMO and not options["in_throwaway_database"]:
            self._rerun_in_throwaway_database(
                [capability, "--dataset", dataset, "--demo-size", demo_size]
                + (["--json"] if json else [])
            )
            return
        if dataset == DEMO:
            self._demo_store_build(demo_size)
        try:
            report = evaluation_report(
                capability=chosen,
                dataset_name=dataset,
                build_as=LIVE if dataset == DEMO else dataset,
                options=dataset_options,
            )
        except (ValueError, OSError) as error:  # a file that is missing or not what it should be
            raise CommandError(f"{dataset}: {error}") from error
        if dataset == DEMO:
            report["dataset"] = f"demo ({demo_size}, seed 0, ending {DEMO_END})"
        self._report_print(report, as_json=json)

    def _rerun_in_throwaway_database(self, arguments: list[str]) -> None:
        """The same command in a child process whose database, cache, broker and artifacts all
        live in a temporary directory that is deleted afterwards."""
        with tempfile.TemporaryDirectory(prefix="evaluate-demo-") as scratch:
            self.stdout.flush()
            completed = subprocess.run(  # noqa: S603 (our own interpreter and arguments)
                [sys.executable, "manage.py", "evaluate", *arguments, THROWAWAY_FLAG],
                env=throwaway_environment(
                    Path(scratch), capabilities=list(settings.ML_CAPABILITIES)
                ),
                cwd=settings.BASE_DIR,
            )
        if completed.returncode:
            raise CommandError(f"the evaluation failed (exit status {completed.returncode})")

    def _demo_store_build(self, size: str) -> None:
        from storefront.demo.generate import demo_store_seed

        logger.info("building the demo store (%s, seed 0) in a throwaway database", size)
        call_command("migrate", verbosity=0, interactive=False)
        summary = demo_store_seed(
            size_name=size, seed=0, end=DEMO_END, report=lambda line: logger.info("demo: %s", line)
        )
        logger.info("demo store: %s orders, %s events", summary.orders, summary.events)

    def _report_print(self, report: dict, *, as_json: bool) -> None:
        if as_json:
            self.stdout.write(json.dumps(report, separators=(",", ":"), default=str))
            return
        self.stdout.write(f"{report['capability']} on {report['dataset']}")
        self.stdout.write(f"protocol: {report['protocol']}")
        for system, metrics in report["results"].items():
            numbers = ", ".join(f"{name} {value:.4f}" for name, value in _numeric(metrics))
            self.stdout.write(f"  {system:<16} {numbers}")
        self.stdout.write(f"seconds: {report['seconds']}")


def _numeric(metrics: dict):
    return [(name, value) for name, value in metrics.items() if isinstance(value, int | float)]
