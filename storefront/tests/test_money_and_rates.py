"""Money rounding per currency, exchange-rate conversion (direct, inverse, through the pivot),
stale and missing rates, prices in the shopper's currency, and the rate loader command."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import timezone

from catalog.models import Variant
from storefront.errors import Conflict
from storefront.models import ExchangeRate, IdempotencyRecord, Order, PaymentAttempt
from storefront.money import money_quantize
from storefront.selectors.markets import conversion_get

EUR_USD = Decimal("1.0850")
EUR_GBP = Decimal("0.8420")
EUR_JPY = Decimal("162.40")

ADDRESS = {"full_name": "Ada Shopper", "line1": "1 Main Street", "city": "Town"}


# --- money_quantize ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        ("1500.5", "JPY", "1501"),  # no minor unit, half up
        ("1500.4", "JPY", "1500"),
        ("2993.548", "JPY", "2994"),
        ("10.005", "EUR", "10.01"),  # two decimals, half up (not banker's rounding)
        ("10.004", "EUR", "10.00"),
        ("10.005", "USD", "10.01"),
        ("10.015", "GBP", "10.02"),
        ("1.2345", "KWD", "1.235"),  # three decimals
        ("1.2344", "KWD", "1.234"),
    ],
)
def test_money_quantize_rounds_half_up_to_the_currency_minor_unit(amount, currency, expected):
    result = money_quantize(Decimal(amount), currency)

    assert result == Decimal(expected)
    # Same exponent as the currency's: "1501", not "1501.00"; "1.235", not "1.24".
    assert str(result) == expected


# --- conversion_get ---------------------------------------------------------------------------


def _close(a: Decimal, b: Decimal) -> bool:
    return abs(a - b) < Decimal("1e-20")


def test_same_currency_converts_at_one_without_a_rate(markets):
    ExchangeRate.objects.all().delete()

    conversion = conversion_get(base="JPY", quote="JPY", now=timezone.now())

    assert conversion.rate == 1
    assert conversion.rates_used == ()


def test_direct_rate(markets):
    conversion = conversion_get(base="EUR", quote="USD", now=timezone.now())

    assert conversion.rate == EUR_USD
    assert [(r["base"], r["quote"], Decimal(r["rate"])) for r in conversion.rates_used] == [
        ("EUR", "USD", EUR_USD)
    ]


def test_inverse_rate(markets):
    conversion = conversion_get(base="USD", quote="EUR", now=timezone.now())

    assert _close(conversion.rate, 1 / EUR_USD)
    # The row used is the published EUR/USD one, recorded as published.
    assert [(r["base"], r["quote"], r["source"]) for r in conversion.rates_used] == [
        ("EUR", "USD", "test")
    ]


def test_cross_rate_goes_through_the_eur_pivot_and_records_both_legs(markets):
    conversion = conversion_get(base="USD", quote="JPY", now=timezone.now())

    assert _close(conversion.rate, EUR_JPY / EUR_USD)
    used = [(r["base"], r["quote"], Decimal(r["rate"])) for r in conversion.rates_used]
    assert used == [("EUR", "USD", EUR_USD), ("EUR", "JPY", EUR_JPY)]
    for record in conversion.rates_used:
        assert record["as_of"]


def test_newest_rate_wins(markets):
    ExchangeRate.objects.create(
        base="USD",
        quote="EUR",
        rate=Decimal("0.9"),
        as_of=timezone.now() + timedelta(minutes=1),
        source="newer",
    )

    conversion = conversion_get(base="EUR", quote="USD", now=timezone.now() + timedelta(hours=1))

    assert _close(conversion.rate, 1 / Decimal("0.9"))
    assert conversion.rates_used[0]["source"] == "newer"


def test_rate_older_than_the_maximum_age_is_refused(markets):
    max_age = timedelta(hours=settings.EXCHANGE_RATE_MAX_AGE_HOURS)

    # Just within the age: accepted.
    conversion_get(base="EUR", quote="USD", now=timezone.now() + max_age - timedelta(minutes=5))
    with pytest.raises(Conflict) as caught:
        conversion_get(base="EUR", quote="USD", now=timezone.now() + max_age + timedelta(hours=1))

    assert caught.value.code == "stale_exchange_rate"


def test_one_stale_leg_refuses_a_cross_rate(markets):
    ExchangeRate.objects.filter(quote="JPY").update(as_of=timezone.now() - timedelta(hours=200))

    with pytest.raises(Conflict) as caught:
        conversion_get(base="USD", quote="JPY", now=timezone.now())

    assert caught.value.code == "stale_exchange_rate"


@pytest.mark.parametrize(("base", "quote"), [("EUR", "CHF"), ("CHF", "USD"), ("USD", "CHF")])
def test_missing_rate_is_refused(markets, base, quote):
    with pytest.raises(Conflict) as caught:
        conversion_get(base=base, quote=quote, now=timezone.now())

    assert caught.value.code == "missing_exchange_rate"


# --- Prices in the shopper's currency, through the API -----------------------------------------


def _cart_with(api_client, market: str, variant: Variant, quantity: int = 1) -> str:
    response = api_client.post("/api/v1/carts/", {"market": market}, format="json")
    assert response.status_code == 201, response.json()
    token = response.json()["token"]
    response = api_client.put(
        f"/api/v1/carts/{token}/lines/",
        {"variant": variant.pk, "quantity": quantity},
        format="json",
    )
    assert response.status_code == 200, response.json()
    return token


def test_quote_in_yen_has_whole_yen_prices(api_client, us_merchant):
    token = _cart_with(api_client, "jp", us_merchant, quantity=2)

    response = api_client.post(f"/api/v1/carts/{token}/quote/", {"country": "JP"}, format="json")

    assert response.status_code == 200, response.json()
    quote = response.json()
    assert quote["currency"] == "JPY"
    # 20.00 USD -> EUR -> JPY: 20 * 162.40 / 1.0850 = 2993.548... -> 2994 yen, no decimals.
    unit = money_quantize(Decimal("20.00") * EUR_JPY / EUR_USD, "JPY")
    assert unit == Decimal("2994")
    [line] = quote["lines"]
    assert line["unit_price"] == str(unit) == "2994"
    assert line["line_total"] == str(unit * 2) == "5988"
    # The 400 g parcel ships at the 500 g rate: 900 yen; nothing has decimals.
    assert quote["shipping"] == "900"
    for field in ("subtotal", "shipping", "duty", "tax", "due_at_sale", "due_on_delivery"):
        assert "." not in quote[field], (field, quote[field])


def test_quote_in_pounds_has_two_decimals(api_client, us_merchant):
    token = _cart_with(api_client, "gb", us_merchant)

    response = api_client.post(f"/api/v1/carts/{token}/quote/", {"country": "GB"}, format="json")

    assert response.status_code == 200, response.json()
    quote = response.json()
    assert quote["currency"] == "GBP"
    # 20.00 USD * 0.8420 / 1.0850 = 15.5207... -> 15.52 GBP.
    unit = money_quantize(Decimal("20.00") * EUR_GBP / EUR_USD, "GBP")
    assert quote["lines"][0]["unit_price"] == str(unit) == "15.52"
    assert quote["shipping"] == "4.90"


# --- Stale rates at quote and checkout ----------------------------------------------------------


def _age_all_rates(hours: int = 200) -> None:
    ExchangeRate.objects.update(as_of=timezone.now() - timedelta(hours=hours))


def test_stale_rates_refuse_the_quote(api_client, us_merchant):
    token = _cart_with(api_client, "de", us_merchant)
    _age_all_rates()

    response = api_client.post(f"/api/v1/carts/{token}/quote/", {"country": "DE"}, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "stale_exchange_rate"


def test_stale_rates_refuse_the_checkout_and_leave_nothing(api_client, us_merchant):
    token = _cart_with(api_client, "de", us_merchant, quantity=3)
    _age_all_rates()

    response = api_client.post(
        f"/api/v1/carts/{token}/checkout/",
        {
            "email": "ada@example.com",
            "shipping_address": {**ADDRESS, "country": "DE"},
            "billing_country": "DE",
            "payment_method": "pm_card_visa",
        },
        format="json",
        HTTP_IDEMPOTENCY_KEY="stale-1",
    )

    assert response.status_code == 409
    assert response.json()["code"] == "stale_exchange_rate"
    assert not Order.objects.exists()
    assert not PaymentAttempt.objects.exists()
    # The shopper may retry with the same key once the rates are fresh again.
    assert not IdempotencyRecord.objects.exists()
    us_merchant.refresh_from_db()
    assert us_merchant.quantity_allocated == 0


# --- load_exchange_rates ----------------------------------------------------------------------

CSV_HEADER = "base,quote,rate,as_of,source\n"


def test_load_exchange_rates_from_csv(db, tmp_path, capsys):
    path = tmp_path / "rates.csv"
    path.write_text(
        CSV_HEADER
        + "EUR,CHF,0.9312,2026-03-02T16:00:00+00:00,ECB\n"
        + "eur,sek,11.2050,2026-03-02T16:00:00+01:00,ECB\n"
    )

    call_command("load_exchange_rates", str(path))

    rows = {(r.base, r.quote): r for r in ExchangeRate.objects.all()}
    assert set(rows) == {("EUR", "CHF"), ("EUR", "SEK")}
    assert rows["EUR", "CHF"].rate == Decimal("0.9312")
    assert rows["EUR", "CHF"].source == "ECB"
    assert rows["EUR", "CHF"].as_of.isoformat() == "2026-03-02T16:00:00+00:00"
    assert rows["EUR", "SEK"].as_of.isoformat() == "2026-03-02T15:00:00+00:00"
    assert "2 exchange rates loaded" in capsys.readouterr().out


def test_loading_the_same_file_twice_changes_nothing(db, tmp_path):
    path = tmp_path / "rates.csv"
    path.write_text(CSV_HEADER + "EUR,CHF,0.9312,2026-03-02T16:00:00+00:00,ECB\n")

    call_command("load_exchange_rates", str(path))
    call_command("load_exchange_rates", str(path))

    assert ExchangeRate.objects.count() == 1


@pytest.mark.parametrize(
    "bad_row",
    [
        "EUR,CHF,-0.93,2026-03-02T16:00:00+00:00,ECB",  # negative rate
        "EUR,CHF,0,2026-03-02T16:00:00+00:00,ECB",  # zero rate
        "EUR,XYZ,0.93,2026-03-02T16:00:00+00:00,ECB",  # not a currency
        "EUR,EUR,1,2026-03-02T16:00:00+00:00,ECB",  # a currency against itself
        "EUR,CHF,0.93,2026-03-02T16:00:00,ECB",  # no time zone
        "EUR,CHF,0.93,yesterday,ECB",  # not a time
        "EUR,CHF,lots,2026-03-02T16:00:00+00:00,ECB",  # not a number
        "EUR,CHF,NaN,2026-03-02T16:00:00+00:00,ECB",  # not a finite number
        "EUR,CHF,0.93,2999-01-01T16:00:00+00:00,ECB",  # published in the future
    ],
)
def test_one_bad_row_loads_nothing(db, tmp_path, bad_row):
    path = tmp_path / "rates.csv"
    path.write_text(
        CSV_HEADER
        + "EUR,USD,1.0850,2026-03-02T16:00:00+00:00,ECB\n"
        + bad_row
        + "\n"
        + "EUR,GBP,0.8420,2026-03-02T16:00:00+00:00,ECB\n"
    )

    with pytest.raises(CommandError, match="nothing loaded"):
        call_command("load_exchange_rates", str(path))

    assert not ExchangeRate.objects.exists()


def test_missing_file_is_a_command_error(db, tmp_path):
    with pytest.raises(CommandError, match="does not exist"):
        call_command("load_exchange_rates", str(tmp_path / "nope.csv"))


def test_stamp_now_records_the_rates_as_published_now(db, tmp_path):
    path = tmp_path / "rates.csv"
    # An old sample file, and one row without a zone: --stamp-now replaces both times.
    path.write_text(
        CSV_HEADER
        + "EUR,USD,1.0850,2020-01-01T00:00:00+00:00,sample\n"
        + "EUR,JPY,162.40,2020-01-01T00:00:00,sample\n"
    )
    before = timezone.now()

    call_command("load_exchange_rates", str(path), "--stamp-now")

    after = timezone.now()
    rows = list(ExchangeRate.objects.all())
    assert len(rows) == 2
    for row in rows:
        assert before <= row.as_of <= after
    # Fresh, so usable for conversion right away.
    assert _close(
        conversion_get(base="USD", quote="JPY", now=timezone.now()).rate, EUR_JPY / EUR_USD
    )


def test_load_exchange_rates_from_json(db, tmp_path):
    path = tmp_path / "rates.json"
    path.write_text(
        '[{"base": "EUR", "quote": "USD", "rate": "1.09", '
        '"as_of": "2026-03-02T16:00:00+00:00", "source": "ECB"}]'
    )

    call_command("load_exchange_rates", str(path))

    assert ExchangeRate.objects.get().rate == Decimal("1.09")
