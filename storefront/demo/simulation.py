"""Shoppers browsing and buying, day by day: pure numpy, no database.

Each customer leans towards one of a few latent taste clusters, with a strength of their own,
plus noise; prefers products from merchants at home; minds prices to a personal degree; visits at
a personal rate that follows the week, the year and the holidays of their market; buys
consumables again. The models see none of this: only the events and orders it leaves behind.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

import holidays
import numpy as np
from threadpoolctl import threadpool_limits

from storefront.demo import config

EVENT_VIEW, EVENT_SEARCH, EVENT_ADD, EVENT_REMOVE = 0, 1, 2, 3

# When in the day people shop, by local hour (evenings and lunch).
_HOUR_WEIGHTS = np.array(
    [
        1,
        0.6,
        0.4,
        0.3,
        0.3,
        0.4,
        0.8,
        1.5,
        2,
        2.3,
        2.5,
        2.8,
        3.2,
        3,
        2.8,
        2.7,
        2.8,
        3.1,
        3.6,
        4.4,
        4.9,
        4.6,
        3.4,
        2,
    ]
)
_HOUR_WEIGHTS = _HOUR_WEIGHTS / _HOUR_WEIGHTS.sum()
UTC_OFFSET_HOURS = {"de": 1, "fr": 1, "es": 1, "gb": 0, "us": -6, "jp": 9, "cn": 8}
HOLIDAY_COUNTRY = {
    "de": "DE",
    "fr": "FR",
    "es": "ES",
    "gb": "GB",
    "us": "US",
    "jp": "JP",
    "cn": "CN",
}


@dataclass
class Catalog:
    """What the simulation needs to know about the products (index = position)."""

    vectors: np.ndarray  # (P, D) taste space
    log_popularity: np.ndarray  # (P,)
    launch_day: np.ndarray  # (P,)
    sold_in: np.ndarray  # (M, P) bool, markets in `market_codes` order
    home_market: np.ndarray  # (P,) market index of the merchant's home, -1 if none
    price_factor: np.ndarray  # (P, days) price relative to the product's list price
    log_price_eur: np.ndarray  # (P,)
    consumable: np.ndarray  # (P,) bool
    variant_count: np.ndarray  # (P,)
    market_codes: tuple[str, ...]


@dataclass
class Customers:
    vectors: np.ndarray  # (C, D)
    market: np.ndarray  # (C,) market index
    signup_day: np.ndarray  # (C,) first day with an account; they browse as guests before
    churn_day: np.ndarray  # (C,)
    sessions_per_day: np.ndarray  # (C,)
    price_sensitivity: np.ndarray  # (C,)


@dataclass
class Activity:
    """The simulation's output; seconds count from the start of the window, in UTC."""

    event_type: list = field(default_factory=list)
    event_customer: list = field(default_factory=list)
    event_product: list = field(default_factory=list)
    event_second: list = field(default_factory=list)
    event_session: list = field(default_factory=list)
    event_quantity: list = field(default_factory=list)
    orders: list = field(default_factory=list)  # (customer, second, [(product, variant_no, qty)])
    sessions: int = 0


def day_factors(*, start: date, days: int, market_codes: tuple[str, ...]) -> np.ndarray:
    """(M, days) how busy each market is on each day: weekday, season, holidays."""
    dates = [start + timedelta(days=d) for d in range(days)]
    weekday = np.array([config.WEEKDAY_FACTOR[d.weekday()] for d in dates])
    day_of_year = np.array([d.timetuple().tm_yday for d in dates])
    # Peak in early December, low in summer.
    season = 1 + config.YEARLY_AMPLITUDE * np.cos(2 * np.pi * (day_of_year - 340) / 365.25)
    factors = np.empty((len(market_codes), days))
    years = sorted({d.year for d in dates})
    for m, code in enumerate(market_codes):
        public = holidays.country_holidays(HOLIDAY_COUNTRY[code], years=years)
        lift = np.ones(days)
        for offset, day in enumerate(dates):
            upcoming = any(day + timedelta(days=k) in public for k in range(1, 8))
            black_friday_week = day.month == 11 and 23 <= day.day <= 30
            singles_day = code == "cn" and day.month == 11 and 1 <= day.day <= 11
            if upcoming or black_friday_week or singles_day:
                lift[offset] = config.HOLIDAY_LIFT
        factors[m] = weekday * season * lift
    return factors


def _session_seconds(rng, day: int, utc_offsets: np.ndarray) -> np.ndarray:
    local_hour = rng.choice(24, size=len(utc_offsets), p=_HOUR_WEIGHTS)
    utc_seconds = (local_hour - utc_offsets) * 3600 + rng.integers(0, 3600, size=len(utc_offsets))
    return day * 86_400 + np.clip(utc_seconds, 0, 86_399)


def _scores(catalog: Catalog, customers: Customers, who: np.ndarray, day: int) -> np.ndarray:
    # taste + popularity - sensitivity * price, summed in place: a large store's day is a
    # (sessions, products) matrix of a hundred megabytes.
    scores = customers.vectors[who] @ catalog.vectors.T
    price = np.log(catalog.price_factor[:, day]) + catalog.log_price_eur
    scores += catalog.log_popularity
    scores -= customers.price_sensitivity[who, None] * price
    scores += 0.6 * (catalog.home_market[None, :] == customers.market[who, None])
    available = (catalog.launch_day <= day)[None, :] & catalog.sold_in[customers.market[who]]
    scores[~available] = -np.inf
    return scores


def _gumbel_top(rng, scores: np.ndarray, k: int) -> np.ndarray:
    """Samples k products per row without replacement, in proportion to exp(score)."""
    negated = rng.gumbel(size=scores.shape)  # -(scores + noise), in place
    negated += scores
    np.negative(negated, out=negated)
    k = min(k, scores.shape[1])
    top = np.argpartition(negated, k - 1, axis=1)[:, :k]
    order = np.argsort(np.take_along_axis(negated, top, axis=1), axis=1)
    return np.take_along_axis(top, order, axis=1)


def simulate(
    *,
    rng: np.random.Generator,
    catalog: Catalog,
    customers: Customers,
    start: date,
    days: int,
    progress=None,
) -> Activity:
    # BLAS on one thread: the day's matrix products are small, so threads mostly wait for each
    # other (and the last bits of a product would depend on how many cores the machine has).
    with threadpool_limits(limits=1, user_api="blas"):
        return _simulate_days(rng, catalog, customers, start, days, progress)


def _simulate_days(rng, catalog, customers, start, days, progress) -> Activity:
    busy = day_factors(start=start, days=days, market_codes=catalog.market_codes)
    activity = Activity()
    repeats: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for day in range(days):
        active = (customers.signup_day - 30 <= day) & (day < customers.churn_day)
        rate = customers.sessions_per_day * busy[customers.market, day] * active
        who = np.repeat(np.arange(len(rate)), rng.poisson(rate))
        forced = repeats.pop(day, [])
        _simulate_sessions(rng, catalog, customers, activity, who, day, forced, repeats, days)
        if progress and day % 30 == 0:
            progress(day, days, activity)
    return activity


def _simulate_sessions(rng, catalog, customers, activity, who, day, forced, repeats, days):
    forced_customers = np.array([c for c, _ in forced], dtype=int)
    everyone = np.concatenate([who, forced_customers]).astype(int)
    if len(everyone) == 0:
        return
    scores = _scores(catalog, customers, everyone, day)
    finite = np.isfinite(scores)
    has_any = finite.any(axis=1)
    views_wanted = 1 + rng.poisson(2.5, size=len(everyone))
    viewed = _gumbel_top(rng, scores, int(views_wanted.max()))
    market_offsets = np.array([UTC_OFFSET_HOURS[code] for code in catalog.market_codes])
    seconds = _session_seconds(rng, day, market_offsets[customers.market[everyone]])
    for row, customer in enumerate(everyone):
        if not has_any[row]:
            continue
        session = activity.sessions
        activity.sessions += 1
        products = [p for p in viewed[row, : views_wanted[row]] if finite[row, p]]
        if row >= len(who):  # a consumable running out: this product, again
            products = [forced[row - len(who)][1], *products[:1]]
        _record_session(
            rng,
            catalog,
            activity,
            customer,
            session,
            seconds[row],
            scores[row],
            products,
            repeats,
            day,
            days,
        )


def _record_session(
    rng, catalog, activity, customer, session, second, scores, products, repeats, day, days
):
    day_end = (day + 1) * 86_400 - 1  # a session running past midnight is cut at midnight

    def event(kind: int, product: int, at: int, quantity: int = 0) -> None:
        at = min(at, day_end)
        activity.event_type.append(kind)
        activity.event_customer.append(customer)
        activity.event_product.append(product)
        activity.event_second.append(at)
        activity.event_session.append(session)
        activity.event_quantity.append(quantity)

    at = int(second)
    if rng.random() < config.SEARCH_SHARE:
        event(EVENT_SEARCH, products[0], at)
        at += int(rng.integers(5, 40))
    reference = np.mean([scores[p] for p in products])
    bought = []
    for product in products:
        event(EVENT_VIEW, product, at)
        at += int(rng.integers(10, 180))
        lift = scores[product] - reference
        promo = catalog.price_factor[product, day] < 0.99
        odds = np.log(config.ADD_TO_CART_BASE / (1 - config.ADD_TO_CART_BASE)) + lift + 0.5 * promo
        if rng.random() < 1 / (1 + np.exp(-odds)):
            quantity = int(rng.integers(1, 4)) if catalog.consumable[product] else 1
            event(EVENT_ADD, product, at, quantity)
            at += int(rng.integers(5, 60))
            if rng.random() < config.PURCHASE_GIVEN_CART:
                bought.append(
                    (product, int(rng.integers(catalog.variant_count[product])), quantity)
                )
            elif rng.random() < config.REMOVE_FROM_CART_SHARE:
                event(EVENT_REMOVE, product, at, quantity)
    if bought:
        activity.orders.append((customer, min(at + int(rng.integers(30, 300)), day_end), bought))
        for product, _, _ in bought:
            if catalog.consumable[product] and rng.random() < 0.55:
                later = day + int(rng.integers(*config.REPEAT_INTERVAL_DAYS))
                if later < days:
                    repeats[later].append((customer, product))
