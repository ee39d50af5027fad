"""Every parameter of the demo store, in one place; docs/demo-store.md explains each."""

from dataclasses import dataclass


@dataclass(frozen=True)
class DemoSize:
    merchants: int
    products_per_merchant: tuple[int, int]
    customers: int
    # Mean sessions a week of an active customer; the spread across customers is lognormal.
    sessions_per_week: float
    fraud_rings: int  # groups of fraudsters sharing devices, addresses and card batches
    images: bool  # drawing and re-encoding photos dominates small stores' time


SIZES = {
    "tiny": DemoSize(
        merchants=6,
        products_per_merchant=(8, 12),
        customers=150,
        sessions_per_week=0.6,
        fraud_rings=2,
        images=False,
    ),
    "small": DemoSize(
        merchants=10,
        products_per_merchant=(25, 40),
        customers=2_500,
        sessions_per_week=0.35,
        fraud_rings=4,
        images=True,
    ),
    "medium": DemoSize(
        merchants=24,
        products_per_merchant=(60, 110),
        customers=30_000,
        sessions_per_week=0.5,
        fraud_rings=12,
        images=True,
    ),
    "large": DemoSize(
        merchants=40,
        products_per_merchant=(80, 140),
        customers=60_000,
        sessions_per_week=0.6,
        fraud_rings=20,
        images=True,
    ),
}

HISTORY_DAYS = 548  # 18 months of sessions and orders

# Where merchants sit, with their currency and language, and how likely each is.
MERCHANT_HOMES = (
    ("DE", "EUR", "de", 0.24),
    ("US", "USD", "en", 0.18),
    ("FR", "EUR", "fr", 0.12),
    ("GB", "GBP", "en", 0.12),
    ("ES", "EUR", "es", 0.10),
    ("JP", "JPY", "ja", 0.14),
    ("CN", "CNY", "zh", 0.10),
)

# Where customers shop from: market code, share of customers.
CUSTOMER_MARKETS = (
    ("de", 0.24),
    ("us", 0.24),
    ("gb", 0.12),
    ("fr", 0.12),
    ("es", 0.08),
    ("jp", 0.14),
    ("cn", 0.06),
)

# The markets a merchant from a country sells to besides its own (cross-border reach).
REACH_PROBABILITY = 0.7

# Latent taste clusters: each customer leans to one, with a strength; each product belongs to one.
TASTE_CLUSTERS = 12
TASTE_DIMENSIONS = 16

# Conversion funnel (per viewed product): probabilities at the mean score; scores move them.
ADD_TO_CART_BASE = 0.11
PURCHASE_GIVEN_CART = 0.42
SEARCH_SHARE = 0.35
REMOVE_FROM_CART_SHARE = 0.25

# Behaviour over time.
WEEKDAY_FACTOR = (0.95, 0.92, 0.93, 0.97, 1.05, 1.12, 1.06)  # Monday first
YEARLY_AMPLITUDE = 0.25  # November-December peak, summer dip
HOLIDAY_LIFT = 1.35  # the week before a market's public holidays and big shopping days
PROMOTION_SHARE = 0.25  # products that run at least one promotion
PROMOTION_DISCOUNT = (0.15, 0.35)
RETURN_RATE = {"apparel": 0.12, "shoes": 0.15, "default": 0.03}
REPEAT_INTERVAL_DAYS = (25, 60)  # consumables

# Fraud: share of orders, of which two thirds carry a learnable pattern.
FRAUD_SHARE = 0.01
PATTERNED_FRAUD_SHARE = 2 / 3
FRAUD_PATTERNS = (
    "card_testing",
    "country_mismatch",
    "reshipper",
    "new_account_risky_goods",
    "velocity",
)
MISSING_FRAUD_LABEL = 0.10  # fraud never charged back
FRIENDLY_FRAUD_SHARE = 0.002  # legitimate orders charged back as "fraudulent"
CHARGEBACK_DELAY_DAYS = (30, 90)
# Legitimate noise that looks like fraud patterns.
LEGIT_BILLING_MISMATCH = 0.03
LEGIT_IP_MISMATCH = 0.02
LEGIT_RESHIPPER = 0.003
LEGIT_DECLINE_BEFORE_ORDER = 0.03

# Freight forwarders: legitimate for expats, loved by fraudsters. Invented addresses.
RESHIPPERS = (
    {
        "full_name": "c/o ParcelBridge",
        "line1": "1200 Cargo Loop, Suite 4117",
        "city": "Wilmington",
        "postal_code": "19801",
        "region": "DE",
        "country": "US",
    },
    {
        "full_name": "c/o ShipOnward",
        "line1": "77 Freight Park Unit 9",
        "city": "Portland",
        "postal_code": "97218",
        "region": "OR",
        "country": "US",
    },
    {
        "full_name": "c/o Forwardly",
        "line1": "Unit 3, Heathside Trade Estate",
        "city": "Hounslow",
        "postal_code": "TW4 6JS",
        "region": "",
        "country": "GB",
    },
    {
        "full_name": "c/o Paketbrücke",
        "line1": "Logistikring 12",
        "city": "Leipzig",
        "postal_code": "04435",
        "region": "",
        "country": "DE",
    },
)

# Invented, stable first octets per country for client addresses (GeoIP is simulated too).
IP_FIRST_OCTET = {
    "DE": 91,
    "AT": 84,
    "FR": 90,
    "ES": 88,
    "GB": 86,
    "US": 73,
    "JP": 126,
    "CN": 117,
    "NL": 145,
    "RU": 95,
    "NG": 105,
    "BR": 177,
    "VN": 113,
    "RO": 89,
}
FRAUD_IP_COUNTRIES = ("RU", "NG", "BR", "VN", "RO", "NL")
