"""The market seed (`manage.py seed_markets`) and the selectors that read what it loads: tax
rates, customs rules and shipping rates."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command

from storefront.errors import InvalidInput
from storefront.models import (
    CustomsRegime,
    DutyRate,
    Market,
    ShippingRate,
    ShippingZone,
    TaxRate,
)
from storefront.selectors.markets import customs_rules_get, shipping_rate_get, tax_rate_get

pytestmark = pytest.mark.django_db

SEEDED_MODELS = (Market, TaxRate, CustomsRegime, DutyRate, ShippingZone, ShippingRate)
TODAY = date(2026, 6, 1)


def _seed(*options: str) -> None:
    call_command("seed_markets", *options, stdout=io.StringIO())


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in SEEDED_MODELS}


@pytest.fixture
def seeded(db):
    _seed()


# --- The seed ---------------------------------------------------------------------------------


def test_seed_creates_the_markets_with_their_currencies(seeded):
    currencies = dict(Market.objects.values_list("code", "currency"))

    assert currencies == {
        "us": "USD",
        "gb": "GBP",
        "de": "EUR",
        "fr": "EUR",
        "es": "EUR",
        "jp": "JPY",
        "cn": "CNY",
    }
    assert Market.objects.get(code="de").countries == ["DE", "AT"]
    assert not Market.objects.get(code="us").prices_include_tax
    assert all(Market.objects.values_list("is_active", flat=True))


def test_seed_loads_taxes_customs_and_shipping(seeded):
    assert _counts() == {
        "Market": 7,
        "TaxRate": 11,
        "CustomsRegime": 6,  # the US twice: before and after its de minimis ended
        "DutyRate": 33,
        "ShippingZone": 7,
        "ShippingRate": 21,
    }


def test_seed_reports_what_it_loaded(db, capsys):
    call_command("seed_markets")

    out = capsys.readouterr().out
    assert "7 markets" in out
    assert "11 tax_rates" in out


def test_seeding_twice_leaves_the_same_rows(seeded):
    first = _counts()
    ids = {
        model.__name__: set(model.objects.values_list("pk", flat=True))
        for model in (Market, TaxRate, CustomsRegime, ShippingZone)
    }

    _seed()

    assert _counts() == first
    # Markets, tax rates, regimes and zones are updated in place, keeping their ids (orders and
    # carts point at markets); duty and shipping rates are replaced by fresh rows.
    assert {
        model.__name__: set(model.objects.values_list("pk", flat=True))
        for model in (Market, TaxRate, CustomsRegime, ShippingZone)
    } == ids


def _regime(name_start: str) -> CustomsRegime:
    return CustomsRegime.objects.get(name__startswith=name_start)


def test_eu_regime_thresholds_are_150_eur(seeded):
    regime = _regime("EU import")

    assert regime.currency == "EUR"
    assert regime.duty_free_up_to == Decimal("150")
    assert regime.tax_at_sale_up_to == Decimal("150")
    assert regime.tax_collection == CustomsRegime.TaxCollection.AT_SALE_UP_TO_THRESHOLD
    assert {"DE", "AT", "FR", "ES"} <= set(regime.countries)
    assert "GB" not in regime.countries


def test_uk_regime_thresholds_are_135_gbp(seeded):
    regime = _regime("UK import")

    assert (regime.currency, regime.countries) == ("GBP", ["GB"])
    assert regime.duty_free_up_to == Decimal("135")
    assert regime.tax_at_sale_up_to == Decimal("135")


def test_us_regime_has_no_duty_free_threshold(seeded):
    regime = _regime("US import (no de minimis)")

    assert regime.currency == "USD"
    assert regime.duty_free_up_to is None
    assert regime.tax_free_up_to is None
    assert regime.duty_collection == CustomsRegime.Collection.AT_SALE
    assert regime.valid_from == date(2025, 8, 29)


def test_japan_regime_exempts_up_to_10000_jpy_from_duty_and_tax(seeded):
    regime = _regime("Japan import")

    assert regime.currency == "JPY"
    assert regime.duty_free_up_to == Decimal("10000")
    assert regime.tax_free_up_to == Decimal("10000")


def _ops_edit_vat_and_eu_threshold() -> TaxRate:
    vat = TaxRate.objects.get(country="DE", region="")
    vat.rate = Decimal("0.16")
    vat.save()
    CustomsRegime.objects.filter(name__startswith="EU import").update(duty_free_up_to=Decimal("0"))
    return vat


def test_re_running_the_seed_keeps_what_ops_edited(seeded):
    """`make run` seeds on every start: it must not undo the admin's edits."""
    vat = _ops_edit_vat_and_eu_threshold()
    zone = ShippingZone.objects.get(market__code="de")
    ShippingRate.objects.create(
        zone=zone, name="Express", max_weight_grams=500, price="14.90", min_days=1, max_days=1
    )

    _seed()

    vat.refresh_from_db()
    assert vat.rate == Decimal("0.16")
    assert _regime("EU import").duty_free_up_to == Decimal("0")
    assert ShippingRate.objects.filter(zone=zone, name="Express").exists()


def test_seed_with_update_resets_ops_edits_of_seeded_rows_to_the_seed_values(seeded):
    """`seed_markets --update` upserts by natural key (market code, country+region+valid_from,
    regime name, market+zone name): it undoes edits made in the admin to seeded rows."""
    vat = _ops_edit_vat_and_eu_threshold()

    _seed("--update")

    vat.refresh_from_db()
    assert vat.rate == Decimal("0.19")
    assert _regime("EU import").duty_free_up_to == Decimal("150")


def test_seed_with_update_replaces_duty_and_shipping_rates_of_seeded_regimes_and_zones(seeded):
    """With --update, duty rates of a seeded regime and shipping rates of a seeded zone are
    deleted and recreated: rows ops added there are lost, not just reset."""
    regime = _regime("EU import")
    DutyRate.objects.create(
        regime=regime, hs_chapter="42", rate=Decimal("0.03"), valid_from=regime.valid_from
    )
    zone = ShippingZone.objects.get(market__code="de")
    ShippingRate.objects.create(
        zone=zone, name="Express", max_weight_grams=500, price="14.90", min_days=1, max_days=1
    )

    _seed()

    assert DutyRate.objects.filter(regime=regime, hs_chapter="42").exists()

    _seed("--update")

    assert not DutyRate.objects.filter(regime=regime, hs_chapter="42").exists()
    assert not ShippingRate.objects.filter(zone=zone, name="Express").exists()


def test_seed_keeps_rows_and_fields_it_does_not_name(seeded):
    """A tax rate with its own valid_from, a market switched off, and a new market survive."""
    TaxRate.objects.create(
        country="DE", region="", name="VAT 2030", rate=Decimal("0.21"), valid_from="2030-01-01"
    )
    Market.objects.filter(code="cn").update(is_active=False)
    Market.objects.create(code="it", name="Italy", countries=["IT"], currency="EUR")

    _seed()

    assert TaxRate.objects.filter(country="DE").count() == 2
    assert not Market.objects.get(code="cn").is_active
    assert Market.objects.filter(code="it").exists()


# --- tax_rate_get -----------------------------------------------------------------------------


def test_a_us_state_gets_its_own_rate(seeded):
    assert tax_rate_get(country="US", region="CA", on=TODAY) == Decimal("0.0725")
    assert tax_rate_get(country="US", region="NY", on=TODAY) == Decimal("0.04")


def test_a_region_without_a_rate_falls_back_to_the_country_row(seeded):
    TaxRate.objects.filter(country="US", region="").update(rate=Decimal("0.01"))

    assert tax_rate_get(country="US", region="OR", on=TODAY) == Decimal("0.01")
    assert tax_rate_get(country="US", on=TODAY) == Decimal("0.01")
    assert tax_rate_get(country="DE", region="BY", on=TODAY) == Decimal("0.19")


def test_a_country_without_any_rate_is_zero(seeded):
    assert tax_rate_get(country="BR", on=TODAY) == Decimal(0)


def test_no_rate_applies_before_its_valid_from(seeded):
    # Japan's row starts on 2019-10-01 and is the only one.
    assert tax_rate_get(country="JP", on=date(2019, 9, 30)) == Decimal(0)
    assert tax_rate_get(country="JP", on=date(2019, 10, 1)) == Decimal("0.10")


def test_a_future_rate_applies_from_its_first_day(seeded):
    TaxRate.objects.create(
        country="DE", region="", name="VAT 2030", rate=Decimal("0.21"), valid_from="2030-01-01"
    )

    assert tax_rate_get(country="DE", on=date(2029, 12, 31)) == Decimal("0.19")
    assert tax_rate_get(country="DE", on=date(2030, 1, 1)) == Decimal("0.21")


def test_a_temporary_rate_ends_the_day_before_valid_until(seeded):
    # Germany's 2020 VAT cut: 16 % from 1 July to 31 December 2020.
    TaxRate.objects.create(
        country="DE",
        region="",
        name="VAT (temporary)",
        rate=Decimal("0.16"),
        valid_from="2020-07-01",
        valid_until="2021-01-01",
    )

    assert tax_rate_get(country="DE", on=date(2020, 6, 30)) == Decimal("0.19")
    assert tax_rate_get(country="DE", on=date(2020, 7, 1)) == Decimal("0.16")
    assert tax_rate_get(country="DE", on=date(2020, 12, 31)) == Decimal("0.16")
    assert tax_rate_get(country="DE", on=date(2021, 1, 1)) == Decimal("0.19")


def test_an_expired_region_rate_falls_back_to_the_country_row(seeded):
    TaxRate.objects.filter(country="US", region="CA").update(valid_until="2026-01-01")

    assert tax_rate_get(country="US", region="CA", on=date(2025, 12, 31)) == Decimal("0.0725")
    assert tax_rate_get(country="US", region="CA", on=date(2026, 1, 1)) == Decimal(0)


# --- customs_rules_get ------------------------------------------------------------------------


@pytest.mark.parametrize("country", ["DE", "AT", "FR", "ES"])
def test_eu_countries_get_the_eu_regime(seeded, country):
    rules, duty_rates = customs_rules_get(country=country, on=TODAY)

    assert rules.name == "EU import (IOSS)"
    assert rules.currency == "EUR"
    assert rules.duty_free_up_to == Decimal("150.00")
    assert rules.tax_at_sale_up_to == Decimal("150.00")
    assert rules.tax_free_up_to is None
    by_chapter = {rate.hs_chapter: rate.rate for rate in duty_rates}
    assert by_chapter[None] == Decimal("0.04")
    assert by_chapter["61"] == Decimal("0.12")


def test_japan_thresholds_are_whole_yen(seeded):
    rules, _ = customs_rules_get(country="JP", on=TODAY)

    assert rules.duty_free_up_to == Decimal("10000")
    assert rules.tax_free_up_to == Decimal("10000")


@pytest.mark.parametrize("country", ["BR", "AU", "CH"])
def test_a_country_without_a_regime_is_not_served(seeded, country):
    with pytest.raises(InvalidInput) as raised:
        customs_rules_get(country=country, on=TODAY)

    assert raised.value.code == "destination_not_served"
    assert "country" in raised.value.details


def test_a_regime_applies_from_its_valid_from_until_its_valid_until(seeded):
    # The US de minimis of USD 800 applied until 2025-08-28; from 2025-08-29 there is none.
    before = customs_rules_get(country="US", on=date(2025, 8, 28))[0]
    after = customs_rules_get(country="US", on=date(2025, 8, 29))[0]

    assert before.duty_free_up_to == Decimal("800")
    assert after.duty_free_up_to is None
    with pytest.raises(InvalidInput) as raised:
        customs_rules_get(country="US", on=date(2016, 3, 9))

    assert raised.value.code == "destination_not_served"


# --- shipping_rate_get ------------------------------------------------------------------------


@pytest.fixture
def de(seeded) -> Market:
    return Market.objects.get(code="de")


@pytest.mark.parametrize(
    ("weight", "price"),
    [(1, "4.90"), (500, "4.90"), (501, "6.90"), (2000, "6.90"), (2001, "19.00"), (30000, "19.00")],
)
def test_the_lightest_bracket_that_takes_the_weight_is_chosen(de, weight, price):
    rate = shipping_rate_get(market=de, country="DE", weight_grams=weight)

    assert rate.price == Decimal(price)
    assert rate.zone.market == de


def test_every_country_of_the_zone_is_served(de):
    assert shipping_rate_get(market=de, country="AT", weight_grams=300).price == Decimal("4.90")


def test_a_parcel_too_heavy_is_not_shippable(de):
    with pytest.raises(InvalidInput) as raised:
        shipping_rate_get(market=de, country="DE", weight_grams=30001)

    assert raised.value.code == "not_shippable"
    assert "shipping_address" in raised.value.details


def test_a_country_outside_the_markets_zones_is_not_shippable(de):
    with pytest.raises(InvalidInput) as raised:
        shipping_rate_get(market=de, country="FR", weight_grams=300)

    assert raised.value.code == "not_shippable"


def test_of_two_rates_with_the_same_bracket_the_cheaper_wins(de):
    zone = ShippingZone.objects.get(market=de)
    ShippingRate.objects.create(
        zone=zone, name="Economy", max_weight_grams=500, price="3.90", min_days=4, max_days=8
    )

    rate = shipping_rate_get(market=de, country="DE", weight_grams=300)

    assert (rate.name, rate.price) == ("Economy", Decimal("3.90"))


def test_the_cheapest_rate_that_takes_the_weight_wins_even_from_a_heavier_bracket(de):
    zone = ShippingZone.objects.get(market=de)
    ShippingRate.objects.create(
        zone=zone, name="Economy", max_weight_grams=2000, price="3.50", min_days=5, max_days=9
    )

    rate = shipping_rate_get(market=de, country="DE", weight_grams=300)

    assert rate.price == Decimal("3.50")
