"""The store the shoppers visit: exchange rates over the window, merchants, categories,
products with their texts, translations, photos, variants and price history. Categories,
merchants and photos go through the catalog's services; the thousands of products, variants and
translations get the services' field checks and are written in bulk, already dated back."""

import io
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import numpy as np

from catalog import services as catalog_services
from catalog.models import Category, Merchant, PriceChange, Product, ProductContent, Variant
from storefront.demo import config, texts
from storefront.demo.images import product_image
from storefront.demo.simulation import Catalog
from storefront.models import ExchangeRate, Market
from storefront.money import money_quantize

BASE_RATES_FROM_EUR = {"USD": 1.085, "GBP": 0.842, "JPY": 162.4, "CNY": 7.83}
LEGAL_FORMS = {
    "DE": "GmbH",
    "FR": "SARL",
    "ES": "S.L.",
    "GB": "Ltd",
    "US": "Inc.",
    "JP": "K.K.",
    "CN": "Co., Ltd.",
}


def day_start(start: date, day: int) -> datetime:
    return datetime.combine(start + timedelta(days=day), datetime.min.time(), tzinfo=UTC)


@dataclass
class Rates:
    """Daily EUR-based rates: `from_eur[currency][day]`."""

    from_eur: dict[str, np.ndarray]

    def factor(self, base: str, quote: str, day: int) -> Decimal:
        """1 `base` in `quote` on `day`, through EUR as the store converts."""
        base_rate = 1.0 if base == "EUR" else self.from_eur[base][day]
        quote_rate = 1.0 if quote == "EUR" else self.from_eur[quote][day]
        return Decimal(str(round(quote_rate / base_rate, 10)))


def exchange_rates_create(*, rng, start: date, days: int) -> Rates:
    """A gentle random walk per currency, published daily at 16:00 UTC; the last is today's."""
    from_eur = {}
    rows = []
    for currency, base in BASE_RATES_FROM_EUR.items():
        walk = np.exp(np.cumsum(rng.normal(0, 0.004, size=days)))
        series = base * walk / walk[0]
        from_eur[currency] = series
        rows += [
            ExchangeRate(
                base="EUR",
                quote=currency,
                rate=Decimal(str(round(rate, 6))),
                as_of=day_start(start, day) + timedelta(hours=16),
                source="demo",
            )
            for day, rate in enumerate(series)
        ]
    ExchangeRate.objects.bulk_create(rows, batch_size=2000)
    return Rates(from_eur)


@dataclass
class World:
    catalog: Catalog
    products: list[Product]
    variants: list[list[Variant]]  # per product
    categories: list[str]  # per product
    attributes: list[dict]  # per product
    merchants: list[Merchant]
    list_prices: list[list[Decimal]] | None = None  # per product and variant, before changes
    cluster_centres: np.ndarray | None = None
    product_index: dict[int, int] | None = None  # product id -> index
    price_factor: np.ndarray | None = None  # (products, days)


def _categories_create() -> dict[str, Category]:
    created = {}
    for position, (slug, spec) in enumerate(texts.CATEGORIES.items()):
        category = catalog_services.category_create(
            name=spec.names["en"], slug=slug, source_language="en", position=position
        )
        for language in texts.LANGUAGES:
            if language != "en":
                catalog_services.category_content_upsert(
                    category=category,
                    language=language,
                    name=spec.names[language],
                    status="approved",
                )
        created[slug] = category
    return created


def _merchant_homes(rng, count: int) -> list[tuple]:
    homes = list(config.MERCHANT_HOMES)
    weights = np.array([home[3] for home in homes])
    extra = rng.choice(len(homes), size=max(0, count - len(homes)), p=weights / weights.sum())
    return homes[: min(count, len(homes))] + [homes[i] for i in extra]


def _merchants_create(rng, count: int, markets: dict[str, Market]) -> list[Merchant]:
    merchants = []
    home_market = {market.countries[0]: code for code, market in markets.items()}
    for number, (country, currency, language, _) in enumerate(_merchant_homes(rng, count)):
        brand = texts.brand_name(country=country, rng=rng)
        reach = [code for code in markets if rng.random() < config.REACH_PROBABILITY]
        reach = sorted({home_market[country], *reach})
        merchants.append(
            catalog_services.merchant_create(
                name=f"{brand} {LEGAL_FORMS[country]}",
                slug=f"merchant-{number:03d}",
                country=country,
                currency=currency,
                default_language=language,
                market_codes=reach,
            )
        )
    return merchants


def _price_history(rng, days: int) -> tuple[np.ndarray, list[tuple[int, int, bool]]]:
    """A product's price relative to its list price, day by day, and its segments
    (start day, end day, is promotion) for the PriceChange history."""
    factor = np.ones(days)
    for change_day in sorted(rng.integers(30, days, size=rng.integers(0, 3))):
        factor[change_day:] *= rng.uniform(0.9, 1.12)
    promo = np.zeros(days, dtype=bool)
    if rng.random() < config.PROMOTION_SHARE:
        for _ in range(rng.integers(1, 4)):
            first = int(rng.integers(0, days - 7))
            last = min(days, first + int(rng.integers(7, 15)))
            factor[first:last] *= 1 - rng.uniform(*config.PROMOTION_DISCOUNT)
            promo[first:last] = True
    factor = np.round(factor, 3)
    segments, begin = [], 0
    for day in range(1, days + 1):
        if day == days or factor[day] != factor[begin] or promo[day] != promo[begin]:
            segments.append((begin, day, bool(promo[begin])))
            begin = day
    return factor, segments


def _price_in(currency: str, price_eur: float, rates: Rates) -> Decimal:
    return money_quantize(Decimal(str(price_eur)) * rates.factor("EUR", currency, 0), currency)


def _translations(
    rng, product: Product, category: str, attributes: dict, brand: str, languages: set[str]
) -> list[ProductContent]:
    contents = []
    for language in sorted(languages - {product.source_language}):
        draw = rng.random()
        if draw < 0.12:
            continue  # never translated: shoppers fall back to another language
        title, description = texts.product_text(
            category=category, attributes=attributes, language=language, rng=rng, brand=brand
        )
        contents.append(
            ProductContent(
                product=product,
                language=language,
                title=title[:300],
                description=description,
                status="draft" if draw < 0.17 else "approved",
                source_hash=catalog_services.source_text_hash(product.title, product.description),
            )
        )
    return contents


def _products_create(rng, size, merchants, markets, categories, rates, start, days):
    world = World(None, [], [], [], [], merchants)
    rows = []  # per product: vector inputs for the simulation
    contents, photos = [], []  # written after the products, with them
    cluster_centres = rng.normal(0, 1, size=(config.TASTE_CLUSTERS, config.TASTE_DIMENSIONS))
    world.cluster_centres = cluster_centres
    category_clusters = {
        slug: rng.choice(config.TASTE_CLUSTERS, size=3, replace=False) for slug in texts.CATEGORIES
    }
    for merchant in merchants:
        specialties = rng.choice(
            list(texts.CATEGORIES), size=int(rng.integers(2, 4)), replace=False
        )
        languages = {
            lang
            for code in merchant.markets.values_list("code", flat=True)
            for lang in markets[code].languages
        }
        brand = merchant.name.removesuffix(f" {LEGAL_FORMS[merchant.country]}")
        for _ in range(int(rng.integers(*size.products_per_merchant))):
            category = str(rng.choice(specialties))
            spec = texts.CATEGORIES[category]
            attributes = texts.product_attributes(category=category, rng=rng)
            title, description = texts.product_text(
                category=category,
                attributes=attributes,
                language=merchant.default_language,
                rng=rng,
                brand=brand,
            )
            # What catalog_services.product_create would save.
            product = Product(
                merchant=merchant,
                category=categories[category],
                title=title[:300],
                description=description,
                brand=brand,
                source_language=merchant.default_language,
                attributes=attributes,
                status="active",
            )
            price_eur = float(np.exp(rng.uniform(*np.log(spec.price_eur))))
            variants = [
                Variant(
                    product=product,
                    merchant=merchant,
                    # From counters, not ids: ids differ between databases, the store must not.
                    sku=f"{merchant.slug[-3:]}-{len(world.products):05d}-{n}",
                    price=_price_in(merchant.currency, price_eur, rates),
                    name=f"#{n + 1}",
                    stock_on_hand=0,
                    weight_grams=int(rng.integers(*spec.weight_grams)),
                    hs_code=str(rng.choice(spec.hs_codes)),
                    country_of_origin=str(rng.choice(spec.origins)),
                    supplier_lead_time_days=int(rng.integers(5, 60)),
                )
                for n in range(int(rng.integers(1, 4)))
            ]
            contents += _translations(rng, product, category, attributes, brand, languages)
            if size.images:
                photo = product_image(category=category, attributes=attributes, rng=rng)
                photos.append((product, photo, title[:300]))
            cluster = int(rng.choice(category_clusters[category]))
            launch = 0 if rng.random() < 0.35 else int(rng.integers(0, days - 14))
            factor, segments = _price_history(rng, days)
            rows.append((cluster, launch, price_eur, factor, segments, spec.consumable))
            world.products.append(product)
            world.variants.append(variants)
            world.categories.append(category)
            world.attributes.append(attributes)
    world.catalog = _simulation_catalog(rng, world, rows, cluster_centres, markets)
    _catalog_write(world, rows, contents, photos, start, days)
    world.product_index = {product.pk: index for index, product in enumerate(world.products)}
    return world


def _simulation_catalog(rng, world, rows, cluster_centres, markets) -> Catalog:
    market_codes = tuple(markets)
    count = len(rows)
    clusters = np.array([row[0] for row in rows])
    noise = rng.normal(0, 0.6, size=(count, config.TASTE_DIMENSIONS))
    vectors = 0.8 * cluster_centres[clusters] + noise
    vectors /= np.sqrt(config.TASTE_DIMENSIONS)
    sold_in = np.zeros((len(market_codes), count), dtype=bool)
    home = np.full(count, -1)
    reach = {m.pk: list(m.markets.values_list("code", flat=True)) for m in world.merchants}
    for index, product in enumerate(world.products):
        merchant = product.merchant
        for code in reach[merchant.pk]:
            sold_in[market_codes.index(code), index] = True
        for m, code in enumerate(market_codes):
            if markets[code].countries[0] == merchant.country:
                home[index] = m
    return Catalog(
        vectors=vectors,
        # A long tail: a few best sellers, many slow sellers with intermittent demand.
        log_popularity=rng.normal(0, 1.1, size=count),
        launch_day=np.array([row[1] for row in rows]),
        sold_in=sold_in,
        home_market=home,
        price_factor=np.stack([row[3] for row in rows]),
        log_price_eur=np.log([row[2] for row in rows]),
        consumable=np.array([row[5] for row in rows]),
        variant_count=np.array([len(v) for v in world.variants]),
        market_codes=market_codes,
    )


def _catalog_write(world: World, rows, contents, photos, start: date, days: int) -> None:
    """Writes the products, variants and translations in bulk, each checked first as the
    catalog's services check them (the database keeps references and uniqueness as the rows go
    in), dated back to their launch with their price history and today's prices; then the
    photos, through the service that re-encodes them."""
    variants = [variant for variants in world.variants for variant in variants]
    changes = _history(world, rows, start, days)
    for row in [*world.products, *variants, *contents]:
        row.full_clean(
            exclude=[field.name for field in row._meta.concrete_fields if field.is_relation],
            validate_unique=False,
            validate_constraints=False,
        )
    for model, objects in (
        (Product, world.products),
        (Variant, variants),
        (ProductContent, contents),
        (PriceChange, changes),
    ):
        model.objects.bulk_create(objects, batch_size=1000)
    for product, photo, alt_text in photos:
        catalog_services.product_image_add(
            product=product, upload=io.BytesIO(photo), alt_text=alt_text
        )


def _history(world: World, rows, start: date, days: int) -> list[PriceChange]:
    """Dates the products back to their launch and gives the variants today's prices; returns
    the price history."""
    changes = []
    world.list_prices = [[variant.price for variant in variants] for variants in world.variants]
    world.price_factor = np.stack([row[3] for row in rows])
    for product, variants, row in zip(world.products, world.variants, rows, strict=True):
        _, launch, _, factor, segments, _ = row
        launched = day_start(start, launch)
        product.created_at = launched
        for variant in variants:
            list_price = variant.price
            for first, last, promotion in segments:
                changes.append(
                    PriceChange(
                        variant=variant,
                        price=money_quantize(
                            list_price * Decimal(str(factor[first])), variant.merchant.currency
                        ),
                        starts_at=day_start(start, first),
                        ends_at=day_start(start, last) if last < days else None,
                        is_promotion=promotion,
                    )
                )
            variant.price = changes[-1].price
            variant.created_at = launched
    return changes


def world_create(*, rng, size, markets: dict[str, Market], start: date, days: int, rates: Rates):
    categories = _categories_create()
    merchants = _merchants_create(rng, size.merchants, markets)
    return _products_create(rng, size, merchants, markets, categories, rates, start, days)
