"""The global forecasting network: one small Keras model per frequency, trained across all the
series of that frequency, served as numpy.

A forecast made at `origin` (the index of the first step to forecast) sees:

- the last `lookback` values, minus the last one and divided by the window's mean absolute
  step (its in-sample naive error; guarded for flat windows), so one network serves series of
  any scale and its pinball loss is in the units MASE measures;
- for daily series, the `horizon` values of a year (364 days: the same weekdays) earlier, on the
  same scale: the window is too short to see a yearly season or a December rush;
- the calendar at the origin (hour of day and day of week, day of week, week of year, month or
  quarter, as fits the frequency); the horizon's calendar follows from it;
- the covariates the series has (price relative to the regular price, promotion, holiday) over
  the window AND the horizon, which are known ahead;
- series features: the share of zeros in the window and in the whole history, the coefficient
  of variation of the window, the log of the level, how much of the window is padding (a short
  series is padded on the left with its first value).

It outputs the P10, P50 and P90 of every step of the horizon at once (direct multi-horizon, no
recursion to accumulate errors), trained with the pinball loss on many windows per series from
the training part only, and mapped back to the series' units. The output is a deep part (ReLU
layers) plus a linear skip from the inputs: the skip learns the plain autoregression quickly from
few series, the deep part what it misses (promotions, calendar, intermittency).

Training is Keras; `QuantileNetwork` holds the exported weights and forecasts thousands of
series with a few numpy matrix products, no Keras on the serving path.
"""

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from forecasting.ml.series import Frequency, Series
from ml_models.ml.keras_export import DenseStack, dense_stack_export

QUANTILES = (0.1, 0.5, 0.9)
COVARIATES = ("price", "promotion", "holiday")
# What a covariate is when the series has none, or before it starts: the regular price (the
# network sees price - 1), no promotion, no holiday.
_NEUTRAL = {"price": 1.0, "promotion": 0.0, "holiday": 0.0}
# Values the network sees: two seasons or two horizons back, whichever is longer, within reason
# (a week of hours; eight weeks of days; a year of weeks; three years of months).
LOOKBACK = {"hourly": 168, "daily": 56, "store_daily": 56, "weekly": 52, "monthly": 36}
_YEAR_LAG = {"D": 364}  # steps to the same time a year earlier, where the window misses it
_SERIES_FEATURES = 6


def lookback(frequency: Frequency) -> int:
    return LOOKBACK.get(frequency.name, max(2 * frequency.horizon, 2 * frequency.season, 8))


@dataclass(frozen=True)
class ModelConfig:
    hidden: tuple[int, ...] = (256, 256)
    learning_rate: float = 1e-3
    l2: float = 1e-6
    batch_size: int = 512
    steps: int = 3_000  # batches of training at most
    min_steps: int = 500
    windows_per_series: int = 512  # training windows per series at most, evenly spaced in time
    max_windows: int = 200_000  # in all; fewer per series when there are many series
    seed: int = 0


@dataclass(frozen=True)
class NetworkSpec:
    """What the network of one frequency expects: the shapes of its input and output."""

    frequency: str
    step: str
    horizon: int
    season: int
    lookback: int
    covariates: tuple[str, ...]  # the covariate blocks in the input, in COVARIATES order
    year_lag: int  # 0 when there is no year-ago block

    @classmethod
    def for_series(cls, frequency: Frequency, series: list[Series]) -> "NetworkSpec":
        return cls(
            frequency=frequency.name,
            step=frequency.step,
            horizon=frequency.horizon,
            season=frequency.season,
            lookback=lookback(frequency),
            covariates=tuple(
                name for name in COVARIATES if any(getattr(s, name) is not None for s in series)
            ),
            year_lag=_YEAR_LAG.get(frequency.step, 0),
        )


def calendar_features(step: str, start: np.datetime64, origins: np.ndarray) -> np.ndarray:
    """(len(origins), k) calendar of the first forecast step: one-hot hour of day and day of
    week (hourly), day of week (daily), month (monthly), quarter (quarterly), the week of the
    year as a point on a circle (weekly); nothing for yearly series."""
    origins = np.asarray(origins, np.int64)
    if step == "h":
        hours = start.astype("datetime64[h]").astype(np.int64) + origins
        return np.hstack([_one_hot(hours % 24, 24), _one_hot((hours // 24 + 3) % 7, 7)])
    if step == "D":
        days = start.astype("datetime64[D]").astype(np.int64) + origins
        return _one_hot((days + 3) % 7, 7)  # 1970-01-01 was a Thursday; Monday is 0
    if step == "W":
        days = start.astype("datetime64[D]").astype(np.int64) + 7 * origins
        angle = 2 * np.pi * (days % 365.2425) / 365.2425
        return np.stack([np.sin(angle), np.cos(angle)], axis=1)
    if step in ("M", "Q"):
        months = start.astype("datetime64[M]").astype(np.int64) + origins * (
            3 if step == "Q" else 1
        )
        return _one_hot(months % 12, 12) if step == "M" else _one_hot((months % 12) // 3, 4)
    return np.zeros((len(origins), 0))


def _one_hot(index: np.ndarray, size: int) -> np.ndarray:
    return np.eye(size)[np.asarray(index, np.int64)]


def network_inputs(
    series: Series, origins: np.ndarray, spec: NetworkSpec
) -> tuple[np.ndarray, np.ndarray]:
    """(len(origins), d) input rows, anchors and scales (target = (y - anchor) / scale) for
    forecasts of `series` made at each origin (0 < origin <= len(series)); everything before
    the origin only, but for the covariates, which are known over the horizon too."""
    origins = np.asarray(origins, np.int64)
    back, horizon = spec.lookback, spec.horizon
    values = np.asarray(series.values, np.float64)
    padded = np.concatenate([np.full(back, values[0]), values])
    windows = sliding_window_view(padded, back)[origins]  # values[origin - back : origin]

    magnitude = np.concatenate([[0.0], np.cumsum(np.abs(values))])
    steps = np.concatenate([[0.0, 0.0], np.cumsum(np.abs(np.diff(values)))])
    zeros = np.concatenate([[0], np.cumsum(values == 0)])
    level = _guarded(np.abs(windows).mean(axis=1), magnitude[origins] / origins)
    scale = _guarded(
        np.abs(np.diff(windows, axis=1)).mean(axis=1),
        steps[origins] / np.maximum(origins - 1, 1),
        level,
    )
    anchor = windows[:, -1]
    scaled = (windows - anchor[:, None]) / scale[:, None]

    blocks = [scaled]
    if spec.year_lag:
        # values[origin - lag : origin - lag + horizon], 0 (and flagged) where before the start
        lag = spec.year_lag
        earlier = np.concatenate([np.zeros(lag), values])
        year_ago = sliding_window_view(earlier, horizon)[np.minimum(origins, len(values))]
        known = (origins >= lag).astype(np.float64)
        blocks += [(year_ago - anchor[:, None]) / scale[:, None] * known[:, None], known[:, None]]
    blocks.append(calendar_features(spec.step, series.start, origins))
    for name in spec.covariates:
        blocks.append(_covariate_windows(series, name, origins, back + horizon, back))
    blocks.append(
        np.stack(
            [
                (windows == 0).mean(axis=1),
                zeros[origins] / origins,
                np.minimum(windows.std(axis=1) / level, 5.0),
                np.log1p(level),
                np.maximum(back - origins, 0) / back,
                np.log1p(origins) / 10,
            ],
            axis=1,
        )
    )
    return np.hstack(blocks).astype(np.float32), anchor, scale


def _guarded(*candidates: np.ndarray) -> np.ndarray:
    """The first positive of the candidates, element by element; 1 where none is."""
    result = np.ones_like(candidates[0])
    for candidate in reversed(candidates):
        result = np.where(candidate > 0, candidate, result)
    return result


def _covariate_windows(
    series: Series, name: str, origins: np.ndarray, width: int, back: int
) -> np.ndarray:
    """The covariate over [origin - back, origin - back + width), neutral where it is unknown;
    price as its change from the regular price."""
    neutral = _NEUTRAL[name]
    known = getattr(series, name)
    known = np.full(0, neutral) if known is None else np.asarray(known, np.float64)
    end = int(origins.max()) - back + width
    padded = np.concatenate(
        [np.full(back, neutral), known, np.full(max(0, end - len(known)), neutral)]
    )
    windows = sliding_window_view(padded, width)[origins]
    return windows - 1.0 if name == "price" else windows


@dataclass(frozen=True)
class QuantileNetwork:
    """The trained weights of one frequency's network, served with numpy."""

    spec: NetworkSpec
    feature_mean: np.ndarray
    feature_scale: np.ndarray
    deep: DenseStack
    skip: DenseStack
    device: str = field(default="", compare=False)

    def quantiles_at(self, rows: np.ndarray, anchors: np.ndarray, scales: np.ndarray) -> np.ndarray:
        """(n, 3, horizon) P10, P50, P90 for input rows, in the series' units, ordered."""
        features = (rows - self.feature_mean) / self.feature_scale
        out = (self.deep(features) + self.skip(features)).reshape(
            len(rows), len(QUANTILES), self.spec.horizon
        )
        return np.sort(out, axis=1) * scales[:, None, None] + anchors[:, None, None]

    def quantiles(self, series: list[Series], cut: int = 0) -> np.ndarray:
        """(len(series), 3, horizon) quantiles forecast from each series' end, or from `cut`
        steps before it (a backtest); non-negative where the series is."""
        if not series:
            return np.zeros((0, len(QUANTILES), self.spec.horizon))
        rows, anchors, scales = zip(
            *(network_inputs(s, np.array([len(s) - cut]), self.spec) for s in series),
            strict=True,
        )
        result = self.quantiles_at(np.vstack(rows), np.concatenate(anchors), np.concatenate(scales))
        floor = np.array([0.0 if nonnegative(s) else -np.inf for s in series])
        return np.maximum(result, floor[:, None, None])

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "spec.json").write_text(
            json.dumps(asdict(self.spec) | {"device": self.device})
        )
        np.savez(directory / "scaling.npz", mean=self.feature_mean, scale=self.feature_scale)
        self.deep.save(directory / "deep.npz")
        self.skip.save(directory / "skip.npz")

    @classmethod
    def load(cls, directory: Path) -> "QuantileNetwork":
        spec = json.loads((directory / "spec.json").read_text())
        device = spec.pop("device", "")
        spec["covariates"] = tuple(spec["covariates"])
        with np.load(directory / "scaling.npz") as scaling:
            mean, scale = scaling["mean"], scaling["scale"]
        return cls(
            spec=NetworkSpec(**spec),
            feature_mean=mean,
            feature_scale=scale,
            deep=DenseStack.load(directory / "deep.npz"),
            skip=DenseStack.load(directory / "skip.npz"),
            device=device,
        )


def nonnegative(series: Series) -> bool:
    return bool(len(series.values)) and float(np.min(series.values)) >= 0


def training_windows(
    series: list[Series], spec: NetworkSpec, config: ModelConfig
) -> tuple[np.ndarray, np.ndarray]:
    """Input rows and scaled targets ((values - anchor) / scale) of windows whose targets lie
    inside each series; the latest window of each series always, the others evenly spaced
    before it."""
    per_series = max(1, min(config.windows_per_series, config.max_windows // max(1, len(series))))
    rows, targets = [], []
    for s in series:
        last = len(s) - spec.horizon
        first = min(spec.lookback, max(2, last // 2))  # short series: half their history
        if last < first:
            continue
        origins = np.unique(np.linspace(last, first, min(per_series, last - first + 1)).round())
        origins = origins.astype(np.int64)
        inputs, anchors, scales = network_inputs(s, origins, spec)
        future = sliding_window_view(np.asarray(s.values, np.float64), spec.horizon)[origins]
        rows.append(inputs)
        targets.append(((future - anchors[:, None]) / scales[:, None]).astype(np.float32))
    if not rows:
        return np.zeros((0, 0), np.float32), np.zeros((0, spec.horizon), np.float32)
    return np.vstack(rows), np.vstack(targets)


def network_train(
    series: list[Series],
    frequency: Frequency,
    config: ModelConfig,
    *,
    report: Callable[[str], None] = lambda message: None,
) -> QuantileNetwork | None:
    """Trains the network of one frequency on `series` (all of that frequency) and exports it;
    None when no series is long enough for one training window."""
    import keras

    from ml_models.ml.runtime import tensorflow_device_setup

    spec = NetworkSpec.for_series(frequency, series)
    rows, targets = training_windows(series, spec, config)
    if not len(rows):
        return None
    device = tensorflow_device_setup()
    mean = rows.mean(axis=0)
    scale = np.maximum(rows.std(axis=0), 1e-3)
    features = (rows - mean) / scale

    keras.utils.set_random_seed(config.seed)
    network, deep, skip = _network_build(keras, features.shape[1], spec.horizon, config)
    # Passes over the windows: 30, but at least `min_steps` batches and at most `steps`. Few
    # windows are repeated into epochs of 100 batches: Keras' cost per epoch then stays small.
    batches = int(np.ceil(len(features) / config.batch_size))
    total = int(np.clip(30 * batches, config.min_steps, config.steps))
    repeats = max(1, 100 // batches)
    features, targets = np.tile(features, (repeats, 1)), np.tile(targets, (repeats, 1))
    epochs = max(1, round(total / (batches * repeats)))
    network.fit(
        features, targets, batch_size=config.batch_size, epochs=epochs, shuffle=True, verbose=0
    )
    report(
        f"{frequency.name}: {len(rows)} windows of {len(series)} series, "
        f"{epochs * batches * repeats} batches on {device}"
    )
    return QuantileNetwork(
        spec=spec,
        feature_mean=mean.astype(np.float32),
        feature_scale=scale.astype(np.float32),
        deep=dense_stack_export(deep),
        skip=dense_stack_export(skip),
        device=device,
    )


def _network_build(keras, width: int, horizon: int, config: ModelConfig):
    outputs = len(QUANTILES) * horizon
    regularizer = keras.regularizers.l2(config.l2)
    deep = keras.Sequential(
        [keras.Input((width,))]
        + [
            keras.layers.Dense(units, activation="relu", kernel_regularizer=regularizer)
            for units in config.hidden
        ]
        + [keras.layers.Dense(outputs, dtype="float32")],  # float32 even in mixed precision
        name="deep",
    )
    skip = keras.Sequential(
        [keras.Input((width,)), keras.layers.Dense(outputs, dtype="float32")], name="skip"
    )
    inputs = keras.Input((width,))
    network = keras.Model(inputs, keras.layers.Add(dtype="float32")([deep(inputs), skip(inputs)]))
    network.compile(
        optimizer=keras.optimizers.Adam(config.learning_rate), loss=_pinball_loss(keras, horizon)
    )
    return network, deep, skip


def _pinball_loss(keras, horizon: int):
    ops = keras.ops
    levels = ops.reshape(ops.convert_to_tensor(QUANTILES, dtype="float32"), (1, -1, 1))

    def pinball(actual, predicted):
        error = ops.expand_dims(actual, 1) - ops.reshape(predicted, (-1, len(QUANTILES), horizon))
        return ops.mean(ops.maximum(levels * error, (levels - 1.0) * error), axis=(1, 2))

    return pinball
