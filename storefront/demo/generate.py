"""`seed_demo`: builds the whole demo store, deterministically from (size, seed, end date)."""

from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import numpy as np
from django.contrib.auth import get_user_model
from django.db import connection, transaction

from catalog import services as catalog_services
from catalog.models import Merchant
from storefront.demo import config, faq
from storefront.demo.orders import Pricer, fraud_orders, legitimate_orders
from storefront.demo.people import customers_create
from storefront.demo.simulation import simulate
from storefront.demo.world import exchange_rates_create, world_create
from storefront.demo.writer import OrderWriter, events_write, stock_set
from storefront.models import Market, ShopperEvent
from storefront.services.markets import markets_seed
from support_bot.models import FaqEntry

# Demo logins, printed by `make run`; the command refuses to run with production settings.
DEMO_OPS = ("ops@demo.example", "demo-ops-password")
DEMO_STAFF_PASSWORD = "demo-staff-password"  # noqa: S105


@dataclass
class DemoSummary:
    merchants: int
    products: int
    customers: int
    orders: int
    fraud_orders: int
    events: int
    ops_login: tuple[str, str]
    staff_login: tuple[str, str]


def _stream(seed: int, name: str) -> np.random.Generator:
    """An independent random stream per part, so that changing one part's draws leaves the
    others' untouched."""
    return np.random.default_rng([seed, sum(name.encode())])


def _faq_write(rng, merchants: list[Merchant]) -> None:
    rows = [FaqEntry(**{k: v for k, v in entry.items() if k != "key"}) for entry in faq.store_faq()]
    for merchant in merchants:
        rows += [
            FaqEntry(merchant=merchant, **{k: v for k, v in entry.items() if k != "key"})
            for entry in faq.merchant_faq(
                merchant_name=merchant.name,
                country=merchant.country,
                language=merchant.default_language,
                ships_from_days=(1, 3),
                rng=rng,
            )
        ]
    FaqEntry.objects.bulk_create(rows)


def _logins(merchant: Merchant) -> tuple[tuple[str, str], tuple[str, str]]:
    user_model = get_user_model()
    if not user_model.objects.filter(username=DEMO_OPS[0]).exists():
        user_model.objects.create_superuser(DEMO_OPS[0], DEMO_OPS[0], DEMO_OPS[1])
    staff_email = f"staff@{merchant.slug}.demo.example"
    staff = user_model.objects.create_user(staff_email, staff_email, DEMO_STAFF_PASSWORD)
    catalog_services.merchant_member_add(merchant=merchant, user=staff, role="owner")
    return DEMO_OPS, (staff_email, DEMO_STAFF_PASSWORD)


def demo_logins() -> dict[str, tuple[str, str]]:
    """The demo's logins that exist in this database (none after a real deployment)."""
    user_model = get_user_model()
    logins = {}
    if user_model.objects.filter(username=DEMO_OPS[0]).exists():
        logins["ops, superuser"] = DEMO_OPS
    staff = user_model.objects.filter(
        username__startswith="staff@", username__endswith=".demo.example"
    ).first()
    if staff:
        logins["merchant owner"] = (staff.username, DEMO_STAFF_PASSWORD)
    return logins


@contextmanager
def _sqlite_cache_enlarged():
    """SQLite caches 2 MB of pages by default: writing millions of rows into tables with several
    indexes would then write pages out and read them back all along. Up to 1 GB while seeding."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (default,) = cursor.fetchone()
        cursor.execute("PRAGMA cache_size = -1000000")  # KiB
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(default)}")


def _risk_lists_write() -> None:
    """What the demo store's ops would have listed: the freight forwarders the simulation's
    expats and fraudsters ship to, and its disposable email domains."""
    from fraud.services import risk_list_add
    from storefront.demo.orders import DISPOSABLE_DOMAINS

    for address in config.RESHIPPERS:
        risk_list_add(kind="reshipper_address", value=address, label=address["full_name"])
    for domain in DISPOSABLE_DOMAINS:
        risk_list_add(kind="disposable_domain", value=domain)


def demo_store_seed(
    *, size_name: str, seed: int, end: date, report: Callable[[str], None] = lambda _: None
) -> DemoSummary:
    """Fills an empty database with the demo store, its history ending on `end` (today): all
    of it in one transaction, so that a seed that fails leaves the database as it was."""
    if Merchant.objects.exists():
        raise ValueError("The database already has merchants; seed the demo into an empty one.")
    with _sqlite_cache_enlarged(), transaction.atomic():
        return _store_seed(size=config.SIZES[size_name], seed=seed, end=end, report=report)


def _store_seed(*, size: config.DemoSize, seed: int, end: date, report) -> DemoSummary:
    days = config.HISTORY_DAYS
    # The history covers the days before `end`; "now" is the midnight that starts `end`, so the
    # same (size, seed, end) always gives the same store, whatever the time of day.
    start = end - timedelta(days=days)
    now = datetime.combine(end, time.min, tzinfo=UTC)

    markets_seed()
    markets = {market.code: market for market in Market.objects.all()}
    report("exchange rates")
    rates = exchange_rates_create(rng=_stream(seed, "rates"), start=start, days=days)
    report("catalog: merchants, products, translations, photos")
    world = world_create(
        rng=_stream(seed, "world"),
        size=size,
        markets=markets,
        start=start,
        days=days,
        rates=rates,
    )
    report(f"{len(world.products)} products; customers")
    customers, shoppers = customers_create(
        rng=_stream(seed, "people"),
        count=size.customers,
        size=size,
        world=world,
        markets=markets,
        start=start,
        days=days,
    )
    report(f"{size.customers} customers; simulating {days} days of sessions")
    activity = simulate(
        rng=_stream(seed, "activity"),
        catalog=world.catalog,
        customers=customers,
        start=start,
        days=days,
        progress=lambda day, total, a: report(f"  day {day}/{total}: {len(a.orders)} orders"),
    )
    planned = legitimate_orders(_stream(seed, "noise"), activity, shoppers, markets)
    fraud_count = round(config.FRAUD_SHARE / (1 - config.FRAUD_SHARE) * len(planned))
    fraudulent = fraud_orders(
        _stream(seed, "fraud"),
        count=fraud_count,
        size=size,
        world=world,
        shoppers=shoppers,
        markets=markets,
        days=days,
        signup_days=customers.signup_day,
    )
    report(f"writing {len(planned) + len(fraudulent)} orders ({len(fraudulent)} fraudulent)")
    writer = OrderWriter(
        rng=_stream(seed, "orders"),
        world=world,
        pricer=Pricer(world=world, rates=rates, start=start),
        start=start,
        now=now,
    )
    writer.write(
        planned + fraudulent, progress=lambda done, total: report(f"  orders {done}/{total}")
    )
    report(f"writing {len(activity.event_type)} browsing events")
    events_write(
        rng=_stream(seed, "queries"),
        activity=activity,
        world=world,
        shoppers=shoppers,
        customers=customers,
        start=start,
        progress=lambda done, total: report(f"  events {done}/{total}"),
    )
    stock_set(rng=_stream(seed, "stock"), world=world, held=writer.held)
    _faq_write(_stream(seed, "faq"), world.merchants)
    _risk_lists_write()
    ops_login, staff_login = _logins(world.merchants[0])
    return DemoSummary(
        merchants=len(world.merchants),
        products=len(world.products),
        customers=size.customers,
        orders=writer.count,
        fraud_orders=len(fraudulent),
        events=ShopperEvent.objects.count(),
        ops_login=ops_login,
        staff_login=staff_login,
    )
