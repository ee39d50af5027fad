"""The shoppers: accounts, addresses, cards, devices, and the tastes that drive them."""

from dataclasses import dataclass
from datetime import date

import numpy as np
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from storefront.demo import config
from storefront.demo.bulk import Ids, insert_objects, sequences_reset
from storefront.demo.simulation import Customers
from storefront.demo.world import World, day_start
from storefront.models import Address, Customer, Market

CITIES = {
    "DE": (("Berlin", "10115"), ("München", "80331"), ("Hamburg", "20095"), ("Köln", "50667")),
    "AT": (("Wien", "1010"), ("Graz", "8010")),
    "FR": (("Paris", "75002"), ("Lyon", "69002"), ("Marseille", "13001")),
    "ES": (("Madrid", "28013"), ("Barcelona", "08002"), ("Valencia", "46002")),
    "GB": (("London", "EC1A 1BB"), ("Manchester", "M1 1AE"), ("Leeds", "LS1 1UR")),
    "US": (
        ("Los Angeles", "90012", "CA"),
        ("New York", "10001", "NY"),
        ("Austin", "78701", "TX"),
        ("Portland", "97205", "OR"),
    ),
    "JP": (("Tokyo", "100-0001"), ("Osaka", "530-0001"), ("Sapporo", "060-0001")),
    "CN": (("Shanghai", "200000"), ("Beijing", "100000"), ("Shenzhen", "518000")),
}
STREETS = ("Main", "Station", "Park", "Mill", "Church", "Garden")
CARD_BRANDS = {"US": "visa", "GB": "mastercard", "JP": "jcb", "CN": "unionpay"}


@dataclass
class Shopper:
    """What the order and event writers need about one customer."""

    customer: Customer
    market: Market
    country: str
    address: dict
    card: str
    device: str
    ip: str


def client_ip(rng, country: str) -> str:
    first = config.IP_FIRST_OCTET[country]
    return f"{first}.{rng.integers(0, 256)}.{rng.integers(0, 256)}.{rng.integers(1, 255)}"


def address_for(rng, country: str, name: str) -> dict:
    city = CITIES[country][int(rng.integers(len(CITIES[country])))]
    return {
        "full_name": name,
        "line1": f"{int(rng.integers(1, 200))} {STREETS[int(rng.integers(len(STREETS)))]} Street",
        "city": city[0],
        "postal_code": city[1],
        "region": city[2] if len(city) > 2 else "",
        "country": country,
    }


def customers_create(
    *, rng, count: int, size, world: World, markets: dict[str, Market], start: date, days: int
) -> tuple[Customers, list[Shopper]]:
    codes = world.catalog.market_codes
    shares = dict(config.CUSTOMER_MARKETS)
    weights = np.array([shares[code] for code in codes])
    market_index = rng.choice(len(codes), size=count, p=weights / weights.sum())
    # A base of customers from the start, then more joining as the store grows.
    existing = rng.random(count) < 0.3
    growing = (days * np.sqrt(rng.random(count))).astype(int)
    signup = np.where(existing, rng.integers(0, 30, size=count), growing)
    lifetime = rng.exponential(days * 1.5, size=count).astype(int) + 30
    cluster = rng.integers(0, config.TASTE_CLUSTERS, size=count)
    strength = rng.beta(2, 2, size=count)
    noise = rng.normal(0, 1, size=(count, config.TASTE_DIMENSIONS))
    vectors = 2.2 * strength[:, None] * world.cluster_centres[cluster] + 0.7 * noise
    vectors /= np.sqrt(config.TASTE_DIMENSIONS)
    customers = Customers(
        vectors=vectors,
        market=market_index,
        signup_day=signup,
        churn_day=signup + lifetime,
        sessions_per_day=rng.lognormal(np.log(size.sessions_per_week / 7) - 0.3, 0.8, size=count),
        price_sensitivity=rng.lognormal(np.log(0.5), 0.5, size=count),
    )
    return customers, _shoppers_write(rng, customers, markets, codes, start)


def _shoppers_write(rng, customers: Customers, markets, codes, start) -> list[Shopper]:
    user_model = get_user_model()
    password = make_password(None)  # unusable: demo shoppers do not log in
    user_ids, customer_ids = Ids(user_model), Ids(Customer)
    users = [
        user_model(
            id=user_ids.take(),
            username=f"shopper{n:06d}@demo.example",
            email=f"shopper{n:06d}@demo.example",
            password=password,
            date_joined=day_start(start, int(customers.signup_day[n])),
        )
        for n in range(len(customers.market))
    ]
    insert_objects(users)
    profiles, shoppers = [], []
    for n, user in enumerate(users):
        market = markets[codes[customers.market[n]]]
        country = (
            market.countries[-1]
            if len(market.countries) > 1 and rng.random() < 0.15
            else market.countries[0]
        )
        language = market.languages[0] if rng.random() < 0.85 else "en"
        profile = Customer(
            id=customer_ids.take(),
            user=user,
            market=market,
            language=language,
            created_at=day_start(start, int(customers.signup_day[n])),
        )
        profiles.append(profile)
        brand = CARD_BRANDS.get(country, ("visa", "mastercard")[int(rng.integers(2))])
        shoppers.append(
            Shopper(
                customer=profile,
                market=market,
                country=country,
                address=address_for(rng, country, f"Shopper {n}"),
                card=f"pm_card_{brand}_{country}_{n}",
                device=f"dev{n:07d}",
                ip=client_ip(rng, country),
            )
        )
    insert_objects(profiles)
    insert_objects([Address(customer=shopper.customer, **shopper.address) for shopper in shoppers])
    sequences_reset([user_model, Customer])
    return shoppers
