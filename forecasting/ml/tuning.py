"""Choosing the forecaster's settings without looking at the test part.

The validation split is the evaluation's holdout protocol applied to each series' training
part: a series without its last h points (the test part, never read here) is cut again, its
new last h points held out. Every setting of a grid is fit on what is left and scored there;
the chosen one has the lowest mean MASE and, among those that tie to four decimals (settings
that move only the intervals), the coverage@80 nearest 0.8.
"""

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import fields, replace

from forecasting.ml.ensemble import EnsembleConfig, ModelForecaster
from forecasting.ml.protocol import evaluate_forecasters
from forecasting.ml.series import Series, holdout_split

NOMINAL_COVERAGE = 0.8
# What `manage.py forecast_tune` tries unless told otherwise: the calibration's finite-sample
# correction. The fallback's margin and backtest windows were chosen the same way, with
# `--grid switch_margin=0,0.2,0.4 --grid backtest_windows=2,3`.
DEFAULT_GRID = {"interval_horizon_exponent": (0.0, 0.5, 1.0)}


def validation_series(series: Sequence[Series]) -> list[Series]:
    """Each series' training part, where it is still longer than its horizon (so that the
    protocol can hold out its last h points in turn)."""
    training = [holdout_split(one)[0] for one in series if len(one) > one.frequency.horizon]
    return [part for part in training if len(part) > part.frequency.horizon]


def grid_settings(grid: Mapping[str, Sequence]) -> list[dict]:
    """Every combination of the grid's values, as keyword arguments of `EnsembleConfig`."""
    known = {field.name for field in fields(EnsembleConfig)}
    unknown = sorted(set(grid) - known)
    if unknown:
        raise ValueError(f"not settings of the forecaster: {', '.join(unknown)}")
    names = list(grid)
    return [dict(zip(names, values, strict=True)) for values in itertools.product(*grid.values())]


def settings_tune(
    series: Sequence[Series], grid: Mapping[str, Sequence], base: EnsembleConfig | None = None
) -> dict:
    """{"series": n, "trials": [{"settings", "mase", "coverage@80"}, ...], "chosen": settings}
    on the validation split of `series`."""
    validation = validation_series(series)
    if not validation:
        raise ValueError("no series long enough for a validation split (more than 2h points)")
    base = base or EnsembleConfig()
    trials = []
    for settings in grid_settings(grid):
        forecaster = ModelForecaster(replace(base, **settings))
        result = evaluate_forecasters({"model": forecaster}, validation)["results"]["model"]
        trials.append(
            {
                "settings": settings,
                "mase": result["mase"],
                "coverage@80": result["coverage@80"],
            }
        )
    chosen = min(
        trials,
        key=lambda trial: (
            round(trial["mase"], 4),
            abs((trial["coverage@80"] or 0.0) - NOMINAL_COVERAGE),
        ),
    )
    return {"series": len(validation), "trials": trials, "chosen": chosen["settings"]}
