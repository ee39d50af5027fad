import json

from django.core.management.base import BaseCommand, CommandError

from forecasting.capability import REAL, series_load
from forecasting.ml.tuning import DEFAULT_GRID, settings_tune


def _grid_entry(text: str) -> tuple[str, tuple]:
    name, _, values = text.partition("=")
    try:
        return name.strip(), tuple(json.loads(value) for value in values.split(",") if value)
    except json.JSONDecodeError as error:
        raise CommandError(f"--grid {text}: values are numbers, comma-separated") from error


class Command(BaseCommand):
    help = (
        "Scores settings of the forecaster on the validation split (each series' training part "
        "with its own last h points held out; the test part is never read) and prints which "
        "one to use: the lowest MASE, then the coverage@80 nearest 0.8."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dataset", default=REAL, help="real (default), csv:PATH or live")
        parser.add_argument(
            "--grid",
            action="append",
            metavar="SETTING=V1,V2",
            help="A setting of EnsembleConfig and its values; repeat for several "
            "(default: interval_horizon_exponent=0,0.5,1).",
        )
        parser.add_argument("--json", action="store_true", dest="as_json", help="One JSON object.")

    def handle(self, *args, dataset: str, grid: list[str] | None, as_json: bool, **options):
        chosen_grid = dict(_grid_entry(entry) for entry in grid) if grid else DEFAULT_GRID
        try:
            result = settings_tune(series_load(dataset), chosen_grid)
        except (ValueError, OSError) as error:
            raise CommandError(f"{dataset}: {error}") from error
        result["dataset"] = dataset
        if as_json:
            self.stdout.write(json.dumps(result, separators=(",", ":")))
            return
        self.stdout.write(f"{dataset}: validation split of {result['series']} series")
        for trial in result["trials"]:
            self.stdout.write(
                f"  {trial['settings']}: MASE {trial['mase']:.4f}, "
                f"coverage@80 {trial['coverage@80']:.4f}"
            )
        self.stdout.write(f"chosen: {result['chosen']}")
