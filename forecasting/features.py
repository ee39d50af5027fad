"""Orders, prices and calendars -> `Series`: the one place where the database meets the model.

A series is the daily units of one SKU (variant) in one market, from orders placed and not
cancelled, by UTC day, days without sales as 0. It starts where the SKU's history starts (its
creation or its first sale there, whichever is earlier; at most FORECAST_HISTORY_DAYS back) and
ends on `end`; its covariates run on for the horizon after it:

- price: the price in effect that day relative to the variant's regular price (the latest
  regular, non-promotion price that started by `end`); a promotion's price wins while it runs;
- promotion: 1 while a promotion runs, scheduled future ones included;
- holiday: 1 on a public holiday of the market's country and in the FORECAST_HOLIDAY_LEAD_DAYS
  before it, when shoppers buy ahead (for a market of several countries, the share of them).
"""

import dataclasses
import functools
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta

import holidays
import numpy as np
from django.conf import settings
from django.db.models import Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from catalog.models import PriceChange, Variant
from forecasting.ml.series import FREQUENCIES, Frequency, Series
from storefront.models import Market, Order, OrderLine


def frequency() -> Frequency:
    """Store demand: daily, weekly season, the configured horizon."""
    return dataclasses.replace(FREQUENCIES["store_daily"], horizon=settings.FORECAST_HORIZON_DAYS)


def history_end_default() -> date:
    """Yesterday (UTC): the last whole day of orders."""
    return timezone.now().astimezone(UTC).date() - timedelta(days=1)


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _day_index(moment: datetime, first: date) -> int:
    """The day (from `first`) a moment falls on."""
    return (moment.astimezone(UTC).date() - first).days


def _day_index_after(moment: datetime, first: date) -> int:
    """The first day (from `first`) wholly after a moment: where a change ending then stops."""
    moment = moment.astimezone(UTC)
    return (moment.date() - first).days + (moment.time() != time.min)


def history_first_day(end: date) -> date:
    """The first day of the history window that ends on `end`."""
    return end - timedelta(days=settings.FORECAST_HISTORY_DAYS - 1)


def demand_lines(*, first: date, end: date, variant_ids: Iterable[int] | None = None):
    """Order lines of orders placed from `first` to `end` (UTC days) and not cancelled."""
    lines = OrderLine.objects.filter(
        order__created_at__gte=_midnight(first),
        order__created_at__lt=_midnight(end + timedelta(days=1)),
    ).exclude(order__status=Order.Status.CANCELLED)
    if variant_ids is not None:
        lines = lines.filter(variant_id__in=list(variant_ids))
    return lines


def variants_with_demand(*, end: date) -> list[int]:
    """The active variants that sold in the history window ending on `end`: those to forecast."""
    lines = demand_lines(first=history_first_day(end), end=end).filter(
        variant__status=Variant.Status.ACTIVE
    )
    return sorted(set(lines.values_list("variant_id", flat=True).distinct().order_by()))


def sku_series(
    *, variant_ids: Iterable[int] | None = None, end: date | None = None
) -> list[Series]:
    """One series per variant and market where it sold in the history window, ids
    "<variant_id>:<market_code>", in (variant, market code) order. Four queries, whatever the
    number of SKUs."""
    end = end or history_end_default()
    freq = frequency()
    first = history_first_day(end)
    days = settings.FORECAST_HISTORY_DAYS
    total = days + freq.horizon

    daily = (
        demand_lines(first=first, end=end, variant_ids=variant_ids)
        .annotate(day=TruncDate("order__created_at", tzinfo=UTC))
        .values("variant_id", "order__market_id", "day")
        .annotate(units=Sum("quantity"))
        .order_by()
        .values_list("variant_id", "order__market_id", "day", "units")
    )
    sold: dict[int, dict[int, list[tuple[int, int]]]] = defaultdict(lambda: defaultdict(list))
    for variant_id, market_id, day, units in daily:
        sold[variant_id][market_id].append(((day - first).days, units))
    if not sold:
        return []

    sold_variants = sorted(sold)
    variants = {
        pk: (created_at, price)
        for pk, created_at, price in Variant.objects.filter(pk__in=sold_variants).values_list(
            "pk", "created_at", "price"
        )
    }
    changes = _price_changes(sold_variants, first=first, until=end + timedelta(days=freq.horizon))
    markets = {market.pk: market for market in Market.objects.all()}
    calendars = {
        pk: _holiday_share(market.countries, first, total) for pk, market in markets.items()
    }

    series = []
    for variant_id in sold_variants:
        created_at, regular_fallback = variants[variant_id]
        price, promotion = _price_covariates(
            changes.get(variant_id, []),
            first=first,
            end=end,
            total=total,
            fallback=float(regular_fallback),
        )
        created = _day_index(created_at, first)
        for market_id in sorted(sold[variant_id], key=lambda pk: markets[pk].code):
            sales = sold[variant_id][market_id]
            values = np.zeros(days)
            indices, units = zip(*sales, strict=True)
            values[list(indices)] = units
            start = max(0, min(created, min(indices)))
            market = markets[market_id]
            series.append(
                Series(
                    id=f"{variant_id}:{market.code}",
                    values=values[start:],
                    frequency=freq,
                    start=np.datetime64(first + timedelta(days=start), "D"),
                    price=price[start:],
                    promotion=promotion[start:],
                    holiday=calendars[market_id][start:],
                    group=market.code,
                    meta={"variant_id": variant_id, "market_id": market_id},
                )
            )
    return series


def _price_changes(variant_ids: list[int], *, first: date, until: date) -> dict[int, list]:
    """Each variant's price changes in effect at some time from `first` to `until`, in order."""
    rows = (
        PriceChange.objects.filter(
            variant_id__in=variant_ids, starts_at__lt=_midnight(until + timedelta(days=1))
        )
        .filter(Q(ends_at__isnull=True) | Q(ends_at__gt=_midnight(first)))
        .order_by("variant_id", "starts_at", "id")
        .values_list("variant_id", "price", "starts_at", "ends_at", "is_promotion")
    )
    changes = defaultdict(list)
    for variant_id, *change in rows:
        changes[variant_id].append(change)
    return changes


def _price_covariates(
    changes: list, *, first: date, end: date, total: int, fallback: float
) -> tuple[np.ndarray, np.ndarray]:
    """(price relative to the regular price, promotion flag), day by day from `first`.

    A regular price applies from the day it starts until the next one starts; promotions
    overlay them on the days they run. Days before any known price are at the regular price."""
    price = np.full(total, np.nan)
    promotion = np.zeros(total)
    regular = fallback
    for amount, starts_at, _, is_promotion in changes:  # in order of their start
        begin = _day_index(starts_at, first)
        if not is_promotion:
            price[max(begin, 0) :] = float(amount)
            if begin <= (end - first).days:
                regular = float(amount)
    for amount, starts_at, ends_at, is_promotion in changes:
        if is_promotion:
            begin = max(_day_index(starts_at, first), 0)
            stop = total if ends_at is None else min(_day_index_after(ends_at, first), total)
            price[begin:stop] = float(amount)
            promotion[begin:stop] = 1.0
    price[np.isnan(price)] = regular
    if regular <= 0:  # nothing to compare with
        return np.ones(total), promotion
    return price / regular, promotion


@functools.lru_cache(maxsize=128)
def _public_holidays(country: str, years: tuple[int, ...]) -> frozenset[date]:
    try:
        return frozenset(holidays.country_holidays(country, years=years))
    except NotImplementedError:  # a country the package has no calendar for
        return frozenset()


def _holiday_share(countries: list[str], first: date, total: int) -> np.ndarray:
    """Per day from `first`: the share of `countries` with a public holiday that day or within
    FORECAST_HOLIDAY_LEAD_DAYS after it."""
    lead = settings.FORECAST_HOLIDAY_LEAD_DAYS
    dates = [first + timedelta(days=offset) for offset in range(total + lead)]
    years = tuple(sorted({day.year for day in dates}))
    share = np.zeros(total)
    for country in countries or []:
        public = _public_holidays(country, years)
        on = np.array([day in public for day in dates], dtype=float)
        ahead = np.lib.stride_tricks.sliding_window_view(on, lead + 1).max(axis=1)
        share += ahead[:total]
    return share / max(len(countries or []), 1)
