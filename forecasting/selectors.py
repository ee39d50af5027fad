"""Reads of the forecasts: the current forecast of a SKU, its history, and what they mean for
its stock (days of cover, stockout date and probability, a reorder suggestion).

The stockout arithmetic (`stockout_estimate`) is pure and works on the daily demand summed over
markets. Each day's demand has mean P50 and standard deviation (P90 - P10) / 2.563 (P10 and P90
of a normal lie 1.2816 sigma either side of the mean), days and markets independent of one
another, so the demand over a span of days has the sum of the means and of the variances. That
demand is a count of units, and is taken as one (`span_demand`): negative binomial with that
mean and variance, or Poisson where the variance is less than the mean. A slow seller's daily
P90 is 0 or barely above its P50, so its forecast's spread says almost nothing about the spread
of a count; a normal with it would call the stockout of the last unit on the shelf nearly
impossible. The negative binomial is the usual model of slow movers' lead-time demand in the
inventory literature.
"""

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, timedelta
from statistics import NormalDist

import numpy as np
from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from scipy import stats

from catalog.models import Merchant, Variant
from forecasting import features
from forecasting.models import SkuForecast
from storefront.errors import NotFound

# P90 - P10 of a normal distribution, in standard deviations: 2 x 1.2816 = 2.563.
QUANTILE_SPAN = 2 * NormalDist().inv_cdf(0.9)
RECENT_DAYS = 90  # the history a SKU's page shows


def today() -> date:
    return timezone.now().astimezone(UTC).date()


# --- Stockout and reorder arithmetic ---------------------------------------------------------


@dataclass(frozen=True)
class Demand:
    """Daily demand from a first day on: means (the P50s) and standard deviations."""

    mean: np.ndarray
    sigma: np.ndarray

    @classmethod
    def from_quantiles(cls, p10, p50, p90) -> "Demand":
        p10, p50, p90 = (np.asarray(values, dtype=float) for values in (p10, p50, p90))
        return cls(mean=p50, sigma=np.maximum(p90 - p10, 0.0) / QUANTILE_SPAN)

    @classmethod
    def total(cls, demands: list["Demand"]) -> "Demand":
        """The demand of several independent markets together: means and variances add."""
        return cls(
            mean=np.sum([demand.mean for demand in demands], axis=0),
            sigma=np.sqrt(np.sum([demand.sigma**2 for demand in demands], axis=0)),
        )

    def __len__(self) -> int:
        return len(self.mean)

    def extended(self, days: int, season: int) -> "Demand":
        """At least `days` long: past the forecast, its last `season` days repeat."""
        missing = days - len(self)
        if missing <= 0 or len(self) == 0:
            return self
        last = slice(max(len(self) - season, 0), len(self))
        repeats = math.ceil(missing / (last.stop - last.start))
        return Demand(
            mean=np.concatenate([self.mean, np.tile(self.mean[last], repeats)[:missing]]),
            sigma=np.concatenate([self.sigma, np.tile(self.sigma[last], repeats)[:missing]]),
        )


def span_demand(mean: float, variance: float):
    """The demand of a span of days as a count (a frozen scipy distribution): negative binomial
    with this mean and variance, Poisson (its limit) where the variance is at most the mean."""
    if variance <= mean:
        return stats.poisson(mean)
    success = mean / variance
    return stats.nbinom(mean * success / (1 - success), success)


@dataclass(frozen=True)
class StockoutEstimate:
    on_hand: int
    lead_time_days: int
    # Whole days, from the first day of the demand, that the cumulative P50 demand stays within
    # the stock on hand; when the stock outlasts every day looked at (`covers_horizon`: the
    # forecast, or the lead time and review period where they reach further), that many days.
    days_of_cover: int
    covers_horizon: bool
    stockout_day: int | None  # the day (from the first) the stock runs out; None: not in view
    stockout_probability: float  # that lead-time demand exceeds the stock on hand
    reorder_quantity: int
    service_level: float
    review_days: int

    @property
    def at_risk(self) -> bool:
        """Running out (at the median demand) before an order placed today would arrive."""
        return self.stockout_day is not None and self.stockout_day < self.lead_time_days


def stockout_estimate(
    *,
    on_hand: int,
    lead_time_days: int,
    demand: Demand,
    service_level: float,
    review_days: int,
    season: int = 7,
) -> StockoutEstimate:
    """What the daily demand (from today on, summed over markets) means for the stock.

    - days of cover: the number of days d whose cumulative P50 demand, days 0..d, is at most the
      stock on hand; the stockout day is the first day past them.
    - stockout probability: P(lead-time demand > on hand), the lead-time demand a count with
      mean mu_L, the sum of the lead-time days' means, and variance the sum of their variances
      (`span_demand`).
    - reorder quantity: the lead-time demand's quantile at the service level plus the mean
      demand of the review period after the lead time, minus the stock on hand; never below 0,
      rounded up to whole units.

    A lead time and review period that reach past the forecast see its last `season` days
    repeated."""
    ahead = demand.extended(lead_time_days + review_days, season)
    covered = int(np.searchsorted(np.cumsum(ahead.mean), on_hand, side="right"))
    covers_horizon = covered == len(ahead)
    lead_mean = float(ahead.mean[:lead_time_days].sum())
    if lead_mean > 0:
        lead = span_demand(lead_mean, float((ahead.sigma[:lead_time_days] ** 2).sum()))
        probability, lead_quantile = float(lead.sf(on_hand)), float(lead.ppf(service_level))
    else:  # nothing expected to sell
        probability, lead_quantile = float(on_hand < 0), 0.0
    review_mean = float(ahead.mean[lead_time_days : lead_time_days + review_days].sum())
    needed = lead_quantile + review_mean - on_hand
    return StockoutEstimate(
        on_hand=on_hand,
        lead_time_days=lead_time_days,
        days_of_cover=covered,
        covers_horizon=covers_horizon,
        stockout_day=None if covers_horizon else covered,
        stockout_probability=probability,
        reorder_quantity=max(0, math.ceil(round(needed, 6))),
        service_level=service_level,
        review_days=review_days,
    )


# --- Current forecasts -----------------------------------------------------------------------


def on_hand(variant: Variant) -> int:
    """Stock that can still be sold: on hand, less what placed orders hold."""
    return variant.stock_on_hand - variant.quantity_allocated


def forecasts_current(*, variant_ids: Iterable[int] | QuerySet) -> dict[int, list[SkuForecast]]:
    """Each variant's current forecasts (of the last run that forecast it), one per market, in
    market code order; variants without a forecast are left out."""
    rows = (
        SkuForecast.objects.current()
        .filter(variant_id__in=variant_ids)
        .select_related("market")
        .order_by("variant_id", "market__code")
    )
    found: dict[int, list[SkuForecast]] = {}
    for row in rows:
        found.setdefault(row.variant_id, []).append(row)
    return found


@dataclass(frozen=True)
class SkuOutlook:
    """A SKU's demand from `first_date` (today) on, summed over its markets, and its stock."""

    first_date: date
    demand: Demand
    p10: np.ndarray  # the markets' quantiles summed: for showing, not for the arithmetic
    p90: np.ndarray
    estimate: StockoutEstimate
    sources: tuple[str, ...]  # what made the forecasts ("model", "baseline:<name>")

    @property
    def stockout_date(self) -> date | None:
        day = self.estimate.stockout_day
        return None if day is None else self.first_date + timedelta(days=day)


def sku_outlook(variant: Variant, forecasts: list[SkuForecast]) -> SkuOutlook | None:
    """Today's view of a variant's current forecasts: the days before today are already sold
    (the stock on hand shows it). None when no forecast reaches today."""
    start = today()
    markets = []
    for forecast in forecasts:
        skip = max((start - forecast.first_date).days, 0)
        markets.append((forecast.p10[skip:], forecast.p50[skip:], forecast.p90[skip:]))
    if not markets or not all(len(p50) for _, p50, _ in markets):
        return None
    demand = Demand.total([Demand.from_quantiles(*quantiles) for quantiles in markets])
    estimate = stockout_estimate(
        on_hand=on_hand(variant),
        lead_time_days=variant.supplier_lead_time_days,
        demand=demand,
        service_level=settings.FORECAST_SERVICE_LEVEL,
        review_days=settings.FORECAST_REVIEW_DAYS,
        season=features.frequency().season,
    )
    return SkuOutlook(
        first_date=start,
        demand=demand,
        p10=np.sum([p10 for p10, _, _ in markets], axis=0),
        p90=np.sum([p90 for _, _, p90 in markets], axis=0),
        estimate=estimate,
        sources=tuple(sorted({forecast.provenance["source"] for forecast in forecasts})),
    )


def sku_outlooks(*, variants: Iterable[Variant]) -> dict[int, SkuOutlook]:
    """The outlook of each of these variants that has a current forecast."""
    variants = list(variants)
    forecasts = forecasts_current(variant_ids=[variant.pk for variant in variants])
    outlooks = {}
    for variant in variants:
        outlook = sku_outlook(variant, forecasts.get(variant.pk, []))
        if outlook is not None:
            outlooks[variant.pk] = outlook
    return outlooks


def skus_at_risk(*, variants: QuerySet) -> list[tuple[int, date]]:
    """(variant id, stockout date) of the variants that run out within their lead time, the
    soonest first."""
    fields = ("pk", "stock_on_hand", "quantity_allocated", "supplier_lead_time_days")
    outlooks = sku_outlooks(variants=variants.only(*fields))
    at_risk = [
        (variant_id, outlook.stockout_date)
        for variant_id, outlook in outlooks.items()
        if outlook.estimate.at_risk
    ]
    return sorted(at_risk, key=lambda item: (item[1], item[0]))


# --- One SKU ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class MarketHistory:
    market: str
    first_date: date
    last_date: date
    units: int
    units_last_28_days: int
    units_last_90_days: int
    days_with_sales_last_90_days: int


@dataclass(frozen=True)
class SkuDetail:
    variant: Variant
    history: list[MarketHistory]
    # The last RECENT_DAYS days of demand summed over markets, to `history_end`; NaN before
    # the SKU's history begins.
    history_end: date
    history_recent: np.ndarray
    forecasts: list[SkuForecast]
    outlook: SkuOutlook | None


def variant_of_merchant(*, merchant: Merchant, sku: str) -> Variant:
    """The merchant's variant with this SKU; another merchant's is not found, like none."""
    variant = Variant.objects.filter(merchant=merchant, sku=sku).select_related("product").first()
    if variant is None:
        raise NotFound(f"You have no SKU {sku}.", code="sku_not_found")
    return variant


def sku_detail(*, variant: Variant) -> SkuDetail:
    """A SKU's history per market, its current forecasts and its stock outlook."""
    end = features.history_end_default()
    history, recent = [], np.full(RECENT_DAYS, np.nan)
    for series in features.sku_series(variant_ids=[variant.pk], end=end):
        values = series.values
        first = series.start.astype(date)
        history.append(
            MarketHistory(
                market=series.group,
                first_date=first,
                last_date=end,
                units=int(values.sum()),
                units_last_28_days=int(values[-28:].sum()),
                units_last_90_days=int(values[-90:].sum()),
                days_with_sales_last_90_days=int((values[-90:] > 0).sum()),
            )
        )
        tail = slice(RECENT_DAYS - min(len(values), RECENT_DAYS), RECENT_DAYS)
        recent[tail] = np.nan_to_num(recent[tail]) + values[-RECENT_DAYS:]
    forecasts = forecasts_current(variant_ids=[variant.pk]).get(variant.pk, [])
    return SkuDetail(
        variant=variant,
        history=history,
        history_end=end,
        history_recent=recent,
        forecasts=forecasts,
        outlook=sku_outlook(variant, forecasts),
    )


def forecast_dates(forecast: SkuForecast) -> list[date]:
    return [forecast.first_date + timedelta(days=day) for day in range(len(forecast.p50))]


def forecast_csv_rows(*, variant_ids: Iterable[int] | QuerySet) -> Iterator[tuple]:
    """(sku, market, date, p10, p50, p90, source): the current forecasts, a row a day."""
    rows = (
        SkuForecast.objects.current()
        .filter(variant_id__in=variant_ids)
        .select_related("variant", "market")
        .order_by("variant__sku", "market__code")
    )
    for forecast in rows:
        for day, p10, p50, p90 in zip(
            forecast_dates(forecast), forecast.p10, forecast.p50, forecast.p90, strict=True
        ):
            yield (
                forecast.variant.sku,
                forecast.market.code,
                day.isoformat(),
                p10,
                p50,
                p90,
                forecast.provenance["source"],
            )
