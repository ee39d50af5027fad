"""The served forecaster (`ModelForecaster`, "model"): the global network of
forecasting/ml/model.py, combined with AutoETS and AutoTheta where that helps, with calibrated
intervals, and per series replaced by a baseline where the baseline forecast that series better.

Everything is decided per frequency on a backtest that ends before the last point the
forecaster is given: the last `backtest_windows` horizons of each series, forecast by a network
trained only on what came before them (so its backtest is out of sample), by the statistical
methods and by the baselines:

- the combination: the network's P50 alone, or its mean or median with AutoETS and AutoTheta P50
  (what won M4: combinations of statistical methods, with a learned one); the candidate with
  the lowest mean MASE serves the frequency. The statistical methods are run where they are
  affordable (see `EnsembleConfig.statistical_skip`);
- the choice per series: the baseline (seasonal naive, moving average, Croston, TSB) with the
  lowest backtest MASE serves the series if it beat the combination there ("baseline:<name>");
- the interval: the network's P10 and P90 distances from its P50, multiplied by the factors
  that put 10 % of the backtest's actual values below and 10 % above, around whatever P50
  serves the series: 80 % coverage by construction on the backtest. The factors are found
  apart for regular, intermittent and sparse demand (`demand_class`), as group-conditional
  ("Mondrian") conformal prediction does: pooled, the sparse series' zeros set one pair of
  factors that left the denser series' intervals too narrow.

Then the network is retrained on everything (`refit`) to serve. A series the forecaster was not
fit on is backtested when it is forecast, the same way on its last horizon (one window, by the
serving network, which never saw it).
"""

import json
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Self

import numpy as np

from forecasting.ml.baselines import TSB, Croston, MovingAverage, SeasonalNaive
from forecasting.ml.metrics import mase_scale
from forecasting.ml.model import ModelConfig, QuantileNetwork, network_train, nonnegative
from forecasting.ml.peers import AutoETSPeer, AutoThetaPeer
from forecasting.ml.series import (
    DEMAND_CLASSES,
    FREQUENCIES,
    YEAR_STEPS,
    Forecast,
    Frequency,
    Series,
    demand_class,
)

STATISTICAL = {"autoets": AutoETSPeer, "autotheta": AutoThetaPeer}
# Combinations of P50s: (members, how). All include the network: a frequency served by a
# statistical method alone would not be "the model".
COMBINATIONS = {
    "network": (("network",), "mean"),
    "network+autoets": (("network", "autoets"), "mean"),
    "network+autotheta": (("network", "autotheta"), "mean"),
    "mean": (("network", "autoets", "autotheta"), "mean"),
    "median": (("network", "autoets", "autotheta"), "median"),
}


# A guardrail on the network: where its P50 over the horizon is more than
# `EnsembleConfig.guardrail` times the most the series ever sold in as many steps of its last
# year (at least 1), the series is served by TSB instead, P50 and interval: the network's
# interval for it is as far off as its P50. A slow seller with one sale a quarter otherwise
# sometimes gets a forecast of several units a day (and a P90 of thousands), when last year's
# sales fall in its window and its tiny scale blows them up; no merchant should reorder on that.
GUARDRAIL_BASELINE = "tsb"


def _beyond_history(series: Series, p50: np.ndarray, guardrail: float) -> bool:
    if not nonnegative(series):
        return False
    history = np.asarray(series.values[-YEAR_STEPS[series.frequency.step] - len(p50) :], float)
    width = min(len(p50), len(history))
    most = np.convolve(history, np.ones(width), mode="valid").max() if width else 0.0
    return float(p50.sum()) > guardrail * max(most * len(p50) / max(width, 1), 1.0)


def baselines() -> list:
    return [SeasonalNaive(), MovingAverage(), Croston(), TSB()]


@dataclass(frozen=True)
class EnsembleConfig:
    network: ModelConfig = field(default_factory=ModelConfig)
    # Frequencies served without AutoETS and AutoTheta, by cost: on store SKUs (730 days,
    # m=7) AutoETS takes about 0.1 s and AutoTheta 0.09 s a series on one core, 30 minutes for
    # 10,000 series where the budget is 5 minutes; the network alone takes seconds.
    statistical_skip: tuple[str, ...] = ("store_daily",)
    backtest_windows: int = 3
    refit: bool = True  # retrain the network on all the data after the backtest
    coverage: float = 0.8
    # A baseline serves a series where it beat the model in every backtest window and by this
    # share in total: one or two windows are a noisy judge (see the module's docstring).
    # Chosen with backtest_windows on a validation split of the real series (each series'
    # training part, its own last h points held out; never the test part): mean MASE 1.386,
    # 1.385 and 1.283 for margins 0, 0.2 and 0.4 with 3 windows; 1.392, 1.321, 1.319 with 2.
    switch_margin: float = 0.4
    # The interval calibration's effective number of errors is rows x horizon ** this (see
    # `_interval_factors`). Chosen on the validation split by `manage.py forecast_tune`.
    interval_horizon_exponent: float = 1.0
    guardrail: float = 3.0  # see GUARDRAIL_BASELINE


@dataclass
class Family:
    """What serves one frequency: its network, combination and interval factors."""

    frequency: Frequency
    network: QuantileNetwork | None
    combination: str = "network"
    statistical: tuple[str, ...] = ()
    # per demand class, (lower, upper): P10 = P50 - lower x (network P50 - network P10) and
    # P90 = P50 + upper x (network P90 - network P50)
    intervals: dict[str, tuple[float, float]] = field(
        default_factory=lambda: dict.fromkeys(DEMAND_CLASSES, (1.0, 1.0))
    )
    backtest: dict = field(default_factory=dict)  # mean MASE per candidate, counts


def family_key(frequency: Frequency) -> str:
    """The frequency's name, or its name with h and m where they differ from the standard ones
    (a CSV with its own horizon)."""
    if FREQUENCIES.get(frequency.name) == frequency:
        return frequency.name
    return f"{frequency.name}-h{frequency.horizon}-m{frequency.season}"


@dataclass
class _Backtest:
    """Forecasts of the last horizons before each series' end: one row per (series, window)."""

    owner: np.ndarray  # (P,) index of the series
    actual: np.ndarray  # (P, h)
    scale: np.ndarray  # (P,) the MASE scale of the history before the window, 0 if none
    network: np.ndarray  # (P, 3, h)
    points: dict[str, np.ndarray]  # candidate combination or baseline name -> (P, h) P50
    demand: np.ndarray  # (P,) the demand class of the history before the window

    def errors(self, name: str) -> np.ndarray:
        """(P,) MASE of each row; MAE / 1e-9 where the scale is 0 (compared within a series)."""
        mae = np.abs(self.actual - self.points[name]).mean(axis=1)
        return mae / np.where(self.scale > 0, self.scale, 1e-9)


class ModelForecaster:
    """The project's forecaster behind the `Forecaster` protocol of baselines.py."""

    name = "model"

    def __init__(self, config: EnsembleConfig | None = None) -> None:
        self.config = config or EnsembleConfig()
        self.families: dict[str, Family] = {}
        self.choices: dict[str, str] = {}  # series id -> "model" | "baseline:<name>", from fit
        self.seconds: dict[str, float] = {}
        self.log: list[str] = []

    @property
    def source_counts(self) -> dict[str, int]:
        return dict(Counter(self.choices.values()))

    def fit(self, series: list[Series]) -> Self:
        started = time.perf_counter()
        self.families, self.choices = {}, {}
        for key, group in _by_family(series).items():
            self.families[key] = self._family_fit(group)
        self.seconds["fit"] = time.perf_counter() - started
        return self

    def _family_fit(self, series: list[Series]) -> Family:
        frequency = series[0].frequency
        horizon = frequency.horizon
        statistical = () if frequency.name in self.config.statistical_skip else tuple(STATISTICAL)
        family = Family(frequency, None, statistical=statistical)
        backtest = None
        for windows in range(self.config.backtest_windows, 0, -1):
            before = [s.head(len(s) - windows * horizon) for s in series]
            network = network_train(
                [s for s in before if len(s) > 2],
                frequency,
                self.config.network,
                report=self.log.append,
            )
            if network is not None:
                backtest = self._backtest(series, network, statistical, windows)
                break
        if backtest is not None and len(backtest.owner):
            self._decide(family, series, backtest)
        else:
            self.choices.update({s.id: "model" for s in series})
        family.network = (
            network_train(series, frequency, self.config.network, report=self.log.append)
            if self.config.refit or backtest is None
            else network
        )
        if family.network is None:  # too short for any window: the baselines serve
            self.choices.update({s.id: f"baseline:{SeasonalNaive.name}" for s in series})
        return family

    def _backtest(
        self,
        series: list[Series],
        network: QuantileNetwork,
        statistical: tuple[str, ...],
        windows: int,
    ) -> _Backtest:
        frequency = series[0].frequency
        horizon = frequency.horizon
        shortest = max(2 * frequency.season, horizon, 4)
        owner, heads, actual = [], [], []
        for window in range(1, windows + 1):
            for index, s in enumerate(series):
                cut = len(s) - window * horizon
                if cut >= shortest:
                    owner.append(index)
                    heads.append(s.head(cut))
                    actual.append(s.values[cut : cut + horizon])
        network_quantiles = network.quantiles(heads)
        points = {"network": network_quantiles[:, 1]}
        for name in statistical:
            points[name] = _p50(STATISTICAL[name]().forecast(heads), len(heads), horizon)
        for candidate, (members, _) in COMBINATIONS.items():
            if all(member in points for member in members):
                points[candidate] = _combine(points, candidate)
        for baseline in baselines():
            points[baseline.name] = _p50(baseline.forecast(heads), len(heads), horizon)
        return _Backtest(
            owner=np.asarray(owner, np.int64),
            actual=np.asarray(actual, np.float64).reshape(len(heads), horizon),
            scale=np.array([mase_scale(head.values, frequency.season) or 0.0 for head in heads]),
            network=network_quantiles,
            points=points,
            demand=np.array([demand_class(head) for head in heads]),
        )

    def _decide(self, family: Family, series: list[Series], backtest: _Backtest) -> None:
        scored = backtest.scale > 0
        candidates = {
            name: float(backtest.errors(name)[scored].mean()) if scored.any() else np.inf
            for name in COMBINATIONS
            if name in backtest.points
        }
        family.combination = min(candidates, key=candidates.get)
        sources = self._choose(series, backtest, family.combination)
        served = np.array(
            [
                backtest.points[
                    family.combination if source == "model" else source.removeprefix("baseline:")
                ][row]
                for row, source in zip(
                    range(len(backtest.owner)), (sources[i] for i in backtest.owner), strict=True
                )
            ]
        )
        family.intervals = self._interval_factors_by_class(backtest, served)
        family.backtest = {
            "windows": int(backtest.owner.size),
            "mase": candidates
            | {b.name: float(backtest.errors(b.name)[scored].mean()) for b in baselines()},
            "intervals": family.intervals,
            "rows_by_demand": {
                demand: int((backtest.demand == demand).sum()) for demand in DEMAND_CLASSES
            },
        }
        self.choices.update({s.id: source for s, source in zip(series, sources, strict=True)})

    def _interval_factors_by_class(
        self, backtest: _Backtest, served: np.ndarray
    ) -> dict[str, tuple[float, float]]:
        """The factors of each demand class from its own backtest rows; a class with none (all
        of a frequency's series regular, say) gets the factors of all rows."""

        def factors(rows: np.ndarray) -> tuple[float, float]:
            return _interval_factors(
                backtest.actual[rows],
                served[rows],
                backtest.network[rows],
                coverage=self.config.coverage,
                horizon_exponent=self.config.interval_horizon_exponent,
            )

        pooled = factors(np.ones(len(backtest.owner), bool))
        return {
            demand: factors(rows) if rows.any() else pooled
            for demand in DEMAND_CLASSES
            for rows in [backtest.demand == demand]
        }

    def _choose(self, series: list[Series], backtest: _Backtest, combination: str) -> list[str]:
        """Per series: "model", or the baseline with the lowest total backtest MASE where it beat
        the model in every window and by `switch_margin` in total."""
        model = backtest.errors(combination)
        beaten = {b.name: backtest.errors(b.name) for b in baselines()}
        count = len(series)
        model_total = np.bincount(backtest.owner, weights=model, minlength=count)
        sources = ["model"] * count
        best_total = np.full(count, np.inf)
        for name, errors in beaten.items():
            total = np.bincount(backtest.owner, weights=errors, minlength=count)
            losses = np.bincount(backtest.owner, weights=errors >= model, minlength=count)
            wins = (
                (losses == 0)
                & (total < (1 - self.config.switch_margin) * model_total)
                & (total < best_total)
                & (np.bincount(backtest.owner, minlength=count) > 0)
            )
            best_total = np.where(wins, total, best_total)
            for index in np.flatnonzero(wins):
                sources[index] = f"baseline:{name}"
        return sources

    def forecast(self, series: list[Series], horizon: int | None = None) -> list[Forecast]:
        started = time.perf_counter()
        result: list[Forecast | None] = [None] * len(series)
        for key, indexes in _indexes_by_family(series).items():
            group = [series[i] for i in indexes]
            family = self.families.get(key)
            steps = group[0].frequency.horizon if horizon is None else horizon
            if steps > group[0].frequency.horizon:
                raise ValueError(
                    f"the network forecasts {group[0].frequency.horizon} steps at most, not {steps}"
                )
            if family is None or family.network is None:
                forecasts = SeasonalNaive().forecast(group, steps)
            else:
                forecasts = self._family_forecast(family, group, steps)
            for index, forecast in zip(indexes, forecasts, strict=True):
                result[index] = forecast
        self.seconds["forecast"] = time.perf_counter() - started
        return result

    def _family_forecast(self, family: Family, series: list[Series], steps: int) -> list[Forecast]:
        horizon = family.frequency.horizon
        sources = self._sources(family, series)
        quantiles = family.network.quantiles(series)
        p50 = np.empty((len(series), horizon))
        modelled = [i for i, source in enumerate(sources) if source == "model"]
        if modelled:
            members, _ = COMBINATIONS[family.combination]
            points = {"network": quantiles[modelled, 1]}
            subset = [series[i] for i in modelled]
            for name in members[1:]:
                points[name] = _p50(STATISTICAL[name]().forecast(subset), len(subset), horizon)
            p50[modelled] = _combine(points, family.combination)
        guarded = {i for i in modelled if _beyond_history(series[i], p50[i], self.config.guardrail)}
        for i in guarded:
            sources[i] = f"baseline:{GUARDRAIL_BASELINE}"
        own = {}  # the guarded series' baseline forecasts, interval included
        for baseline in baselines():
            chosen = [
                i for i, source in enumerate(sources) if source == f"baseline:{baseline.name}"
            ]
            if chosen:
                forecasts = baseline.forecast([series[i] for i in chosen])
                p50[chosen] = _p50(forecasts, len(chosen), horizon)
                own |= {i: f for i, f in zip(chosen, forecasts, strict=True) if i in guarded}
        floor = np.array([0.0 if nonnegative(s) else -np.inf for s in series])[:, None]
        p50 = np.maximum(p50, floor)
        lower, upper = np.array([family.intervals[demand_class(s)] for s in series]).T[:, :, None]
        p10 = np.maximum(p50 - lower * (quantiles[:, 1] - quantiles[:, 0]), floor)
        p90 = p50 + upper * (quantiles[:, 2] - quantiles[:, 1])
        for i, forecast in own.items():
            p10[i], p90[i] = forecast.p10, forecast.p90
        return [
            Forecast(p10[i, :steps], p50[i, :steps], p90[i, :steps], sources[i])
            for i in range(len(series))
        ]

    def _sources(self, family: Family, series: list[Series]) -> list[str]:
        """The fit's choice per series; a quick one-window backtest for series it never saw."""
        unseen = [i for i, s in enumerate(series) if s.id not in self.choices]
        chosen = {}
        if unseen:
            subset = [series[i] for i in unseen]
            backtest = self._backtest(subset, family.network, family.statistical, windows=1)
            chosen = dict(
                zip(unseen, self._choose(subset, backtest, family.combination), strict=True)
            )
        return [chosen.get(i) or self.choices.get(s.id, "model") for i, s in enumerate(series)]

    def save(self, directory: Path) -> None:
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        families = {}
        for key, family in self.families.items():
            if family.network is not None:
                family.network.save(directory / "networks" / key)
            families[key] = {
                "frequency": asdict(family.frequency),
                "has_network": family.network is not None,
                "combination": family.combination,
                "statistical": list(family.statistical),
                "intervals": family.intervals,
                "backtest": family.backtest,
            }
        state = {
            "config": asdict(self.config),
            "families": families,
            "choices": self.choices,
            "training_seconds": self.seconds.get("fit"),
        }
        (directory / "forecaster.json").write_text(json.dumps(state, indent=1))

    @classmethod
    def load(cls, directory: Path) -> "ModelForecaster":
        directory = Path(directory)
        state = json.loads((directory / "forecaster.json").read_text())
        config = state["config"]
        network = config.pop("network")
        network_config = ModelConfig(**network | {"hidden": tuple(network["hidden"])})
        forecaster = cls(
            EnsembleConfig(
                **config | {"statistical_skip": tuple(config["statistical_skip"])},
                network=network_config,
            )
        )
        for key, saved in state["families"].items():
            forecaster.families[key] = Family(
                frequency=Frequency(**saved["frequency"]),
                network=QuantileNetwork.load(directory / "networks" / key)
                if saved["has_network"]
                else None,
                combination=saved["combination"],
                statistical=tuple(saved["statistical"]),
                intervals=_intervals_saved(saved),
                backtest=saved["backtest"],
            )
        forecaster.choices = dict(state["choices"])
        if state.get("training_seconds") is not None:
            forecaster.seconds["fit"] = state["training_seconds"]
        return forecaster


def _intervals_saved(saved: dict) -> dict[str, tuple[float, float]]:
    """The interval factors of a saved family; a forecaster saved before they were per demand
    class has one pair for both."""
    if "intervals" in saved:
        return {demand: tuple(pair) for demand, pair in saved["intervals"].items()}
    return dict.fromkeys(DEMAND_CLASSES, (saved["lower"], saved["upper"]))


def _by_family(series: list[Series]) -> dict[str, list[Series]]:
    return {
        key: [series[i] for i in indexes] for key, indexes in _indexes_by_family(series).items()
    }


def _indexes_by_family(series: list[Series]) -> dict[str, list[int]]:
    groups: dict[str, list[int]] = {}
    for index, s in enumerate(series):
        groups.setdefault(family_key(s.frequency), []).append(index)
    return groups


def _p50(forecasts: list[Forecast], count: int, horizon: int) -> np.ndarray:
    return np.asarray([f.p50 for f in forecasts], np.float64).reshape(count, horizon)


def _combine(points: dict[str, np.ndarray], combination: str) -> np.ndarray:
    members, how = COMBINATIONS[combination]
    stacked = np.stack([points[member] for member in members])
    return np.median(stacked, axis=0) if how == "median" else stacked.mean(axis=0)


def _interval_factors(
    actual: np.ndarray,
    served: np.ndarray,
    network: np.ndarray,
    *,
    coverage: float,
    horizon_exponent: float,
) -> tuple[float, float]:
    """The multiples of the network's P50-P10 and P90-P50 distances that leave (1 - coverage)/2
    of the actual values below P10 and as many above P90, around the served P50.

    The quantile level carries split conformal's finite-sample correction, (1 + 1/n), with n
    the effective number of errors: rows (series x windows) x horizon ** `horizon_exponent`,
    between rows (0: the errors of one window move together) and points (1: independent)."""
    below = np.maximum(network[:, 1] - network[:, 0], 1e-9)
    above = np.maximum(network[:, 2] - network[:, 1], 1e-9)
    short = (served - actual) / below
    over = (actual - served) / above
    effective = len(actual) * actual.shape[1] ** horizon_exponent
    share = min(1.0, (1 + coverage) / 2 * (1 + 1 / effective))
    lower, upper = (float(np.clip(np.quantile(d, share), 0.0, 20.0)) for d in (short, over))
    return lower, upper
