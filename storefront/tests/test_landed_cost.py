"""Worked examples of the landed-cost engine, each computed by hand in its comment.

The rules below mirror docs/taxes-and-duties.md; the duty rates are illustrative."""

from dataclasses import replace
from decimal import Decimal

import pytest

from storefront.landed_cost import (
    Collection,
    Consignment,
    ConsignmentLine,
    CustomsRules,
    DutyRate,
    LandedCost,
    TaxCollection,
    duty_rate_select,
    landed_cost_compute,
    shipping_allocate,
)

D = Decimal

# fmt: off
EU_MEMBERS = frozenset({
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE",
    "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
})
# fmt: on

EU_RULES = CustomsRules(
    name="EU import (IOSS)",
    countries=EU_MEMBERS,
    currency="EUR",
    duty_free_up_to=D("150"),
    tax_free_up_to=None,
    tax_collection=TaxCollection.AT_SALE_UP_TO_THRESHOLD,
    tax_at_sale_up_to=D("150"),
    duty_collection=Collection.ON_DELIVERY,
    duty_base_includes_shipping=True,
    source="Directive (EU) 2017/2455; Regulation (EC) No 1186/2009 art. 23",
)
UK_RULES = CustomsRules(
    name="UK import",
    countries=frozenset({"GB"}),
    currency="GBP",
    duty_free_up_to=D("135"),
    tax_free_up_to=None,
    tax_collection=TaxCollection.AT_SALE_UP_TO_THRESHOLD,
    tax_at_sale_up_to=D("135"),
    duty_collection=Collection.ON_DELIVERY,
    duty_base_includes_shipping=True,
)
US_RULES = CustomsRules(
    name="US import (no de minimis)",
    countries=frozenset({"US"}),
    currency="USD",
    duty_free_up_to=None,
    tax_free_up_to=None,
    tax_collection=TaxCollection.AT_SALE,
    tax_at_sale_up_to=None,
    duty_collection=Collection.AT_SALE,
    duty_base_includes_shipping=False,
    tax_base_includes_duty=False,
)
JP_RULES = CustomsRules(
    name="Japan import",
    countries=frozenset({"JP"}),
    currency="JPY",
    duty_free_up_to=D("10000"),
    tax_free_up_to=D("10000"),
    tax_collection=TaxCollection.ON_DELIVERY,
    tax_at_sale_up_to=None,
    duty_collection=Collection.ON_DELIVERY,
    duty_base_includes_shipping=True,
)

DE_VAT = D("0.19")
GB_VAT = D("0.20")
CA_SALES_TAX = D("0.0725")
JP_CONSUMPTION_TAX = D("0.10")

# Illustrative rates: the store keeps the real ones editable.
EU_DUTY = (DutyRate(D("0.12"), hs_chapter="61"), DutyRate(D("0.04")))
UK_DUTY = (DutyRate(D("0.08"), hs_chapter="64"), DutyRate(D("0.04")))
US_DUTY = (DutyRate(D("0.165"), hs_chapter="61"), DutyRate(D("0.05")))
JP_DUTY = (DutyRate(D("0.10"), hs_chapter="61"), DutyRate(D("0.05")))

T_SHIRT = "610910"  # chapter 61: knitted clothing
SHOES = "640399"  # chapter 64: footwear
MUG = "691200"  # chapter 69: ceramics


def same_currency(amount: Decimal) -> Decimal:
    raise AssertionError("no conversion when the order is in the rules currency")


def compute(
    rules: CustomsRules,
    destination: str,
    tax_rate: Decimal,
    duty_rates: tuple[DutyRate, ...],
    *consignments: Consignment,
    order_currency: str | None = None,
    to_rules_currency=same_currency,
) -> LandedCost:
    return landed_cost_compute(
        consignments=consignments,
        destination_country=destination,
        order_currency=order_currency or rules.currency,
        rules=rules,
        duty_rates=duty_rates,
        tax_rate=tax_rate,
        to_rules_currency=to_rules_currency,
    )


def parcel(ships_from: str, shipping: str, *lines: tuple[str, str, str]) -> Consignment:
    return Consignment(
        ships_from=ships_from,
        lines=tuple(ConsignmentLine(hs, origin, D(amount)) for hs, origin, amount in lines),
        shipping=D(shipping),
    )


def test_de_order_under_150_eur_from_a_us_merchant_pays_vat_at_sale_and_no_duty():
    # Goods 120.00 <= 150 EUR: no duty, IOSS VAT at sale.
    # VAT: line 120.00 * 0.19 = 22.80; shipping 10.00 * 0.19 = 1.90; total 24.70.
    # Due at sale: 120.00 + 10.00 + 24.70 = 154.70; nothing on delivery.
    cost = compute(
        EU_RULES, "DE", DE_VAT, EU_DUTY, parcel("US", "10.00", (T_SHIRT, "US", "120.00"))
    )

    [charges] = cost.consignments
    assert (charges.duty, charges.tax, charges.shipping_tax) == (D("0.00"), D("24.70"), D("1.90"))
    assert charges.tax_rate == DE_VAT
    assert charges.lines[0].tax == D("22.80")
    assert charges.lines[0].duty_rate == 0
    assert charges.duty_collection is None
    assert charges.tax_collection == Collection.AT_SALE
    assert not charges.domestic
    assert (cost.due_at_sale, cost.due_on_delivery, cost.total) == (
        D("154.70"),
        D("0.00"),
        D("154.70"),
    )
    assert "Goods value 120.00 EUR is at or under the 150.00 EUR duty exemption: no duty." in (
        charges.notes
    )
    assert "Tax collected at sale by the store." in charges.notes


def test_de_order_over_150_eur_pays_duty_on_cif_and_import_vat_on_delivery():
    # Goods 200.00 > 150 EUR: a normal import, everything on delivery.
    # Duty 12 % on CIF: (200.00 + 20.00) * 0.12 = 26.40.
    # Import VAT 19 % on goods + shipping + duty: line (200.00 + 26.40) * 0.19 = 43.016 -> 43.02;
    # shipping 20.00 * 0.19 = 3.80; total 46.82.
    # Due at sale 220.00 (goods + shipping); on delivery 26.40 + 46.82 = 73.22; total 293.22.
    cost = compute(
        EU_RULES, "DE", DE_VAT, EU_DUTY, parcel("US", "20.00", (T_SHIRT, "US", "200.00"))
    )

    [charges] = cost.consignments
    assert charges.lines[0].shipping_share == D("20.00")
    assert (charges.lines[0].duty_rate, charges.duty, charges.tax) == (
        D("0.12"),
        D("26.40"),
        D("46.82"),
    )
    assert charges.duty_collection == charges.tax_collection == Collection.ON_DELIVERY
    assert (cost.due_at_sale, cost.due_on_delivery, cost.total) == (
        D("220.00"),
        D("73.22"),
        D("293.22"),
    )
    assert any("declared as a normal import" in note for note in charges.notes)
    assert "Duty and tax paid to the carrier on delivery." in charges.notes


def test_de_order_from_a_de_merchant_is_domestic_vat_at_sale():
    # Ships from inside the EU: no customs at all, German VAT on goods + shipping, at sale,
    # whatever the value and whatever the goods' origin (they are already in free circulation).
    # VAT: 200.00 * 0.19 = 38.00; 5.00 * 0.19 = 0.95; total 38.95. Due at sale 243.95.
    cost = compute(EU_RULES, "DE", DE_VAT, EU_DUTY, parcel("DE", "5.00", (T_SHIRT, "CN", "200.00")))

    [charges] = cost.consignments
    assert charges.domestic
    assert (charges.duty, charges.tax) == (D("0.00"), D("38.95"))
    assert (charges.duty_collection, charges.tax_collection) == (None, Collection.AT_SALE)
    assert (cost.due_at_sale, cost.due_on_delivery) == (D("243.95"), D("0.00"))
    assert charges.notes[0].startswith("Domestic sale: ships from DE")


def test_gb_order_under_135_gbp_pays_vat_at_sale():
    # Goods 100.00 <= 135 GBP: no duty; VAT 20 % at sale: 20.00 + 8.00 * 0.20 = 1.60 -> 21.60.
    # Due at sale 100.00 + 8.00 + 21.60 = 129.60.
    cost = compute(UK_RULES, "GB", GB_VAT, UK_DUTY, parcel("US", "8.00", (SHOES, "CN", "100.00")))

    [charges] = cost.consignments
    assert (charges.duty, charges.tax) == (D("0.00"), D("21.60"))
    assert (charges.duty_collection, charges.tax_collection) == (None, Collection.AT_SALE)
    assert (cost.due_at_sale, cost.due_on_delivery) == (D("129.60"), D("0.00"))


def test_gb_order_over_135_gbp_pays_duty_and_vat_on_delivery():
    # Goods 150.00 > 135 GBP. Duty 8 % on CIF: (150.00 + 10.00) * 0.08 = 12.80.
    # VAT 20 %: (150.00 + 12.80) * 0.20 = 32.56; shipping 10.00 * 0.20 = 2.00; total 34.56.
    # Due at sale 160.00; on delivery 12.80 + 34.56 = 47.36; total 207.36.
    cost = compute(UK_RULES, "GB", GB_VAT, UK_DUTY, parcel("CN", "10.00", (SHOES, "CN", "150.00")))

    [charges] = cost.consignments
    assert (charges.duty, charges.tax) == (D("12.80"), D("34.56"))
    assert charges.duty_collection == charges.tax_collection == Collection.ON_DELIVERY
    assert (cost.due_at_sale, cost.due_on_delivery, cost.total) == (
        D("160.00"),
        D("47.36"),
        D("207.36"),
    )


def test_us_order_from_a_jp_merchant_pays_duty_on_fob_and_sales_tax_at_sale():
    # No de minimis: duty 16.5 % on FOB (shipping excluded): 100.00 * 0.165 = 16.50.
    # Sales tax 7.25 % on the sale price, not on duty: line 100.00 * 0.0725 = 7.25;
    # shipping 15.00 * 0.0725 = 1.0875 -> 1.09; total 8.34.
    # Delivered duty paid: due at sale 100.00 + 15.00 + 16.50 + 8.34 = 139.84.
    cost = compute(
        US_RULES, "US", CA_SALES_TAX, US_DUTY, parcel("JP", "15.00", (T_SHIRT, "JP", "100.00"))
    )

    [charges] = cost.consignments
    assert (charges.duty, charges.tax, charges.shipping_tax) == (D("16.50"), D("8.34"), D("1.09"))
    assert charges.lines[0].tax == D("7.25")
    assert charges.duty_collection == charges.tax_collection == Collection.AT_SALE
    assert (cost.due_at_sale, cost.due_on_delivery) == (D("139.84"), D("0.00"))
    assert "US import (no de minimis) has no duty exemption: duty on goods (FOB)." in charges.notes
    assert "Tax 7.25 % on goods + shipping." in charges.notes


def test_us_state_that_does_not_tax_shipping_leaves_it_out_of_the_sales_tax_base():
    # Same order; sales tax on goods only: 100.00 * 0.0725 = 7.25. Due at sale 138.75.
    rules = replace(US_RULES, tax_base_includes_shipping=False)
    cost = compute(
        rules, "US", CA_SALES_TAX, US_DUTY, parcel("JP", "15.00", (T_SHIRT, "JP", "100.00"))
    )

    assert (cost.tax, cost.due_at_sale) == (D("7.25"), D("138.75"))


def test_jp_order_of_9800_jpy_pays_no_duty_and_no_consumption_tax():
    # Goods 9,800 <= 10,000 JPY: no duty, no consumption tax. Due at sale 9,800 + 1,200.
    cost = compute(
        JP_RULES, "JP", JP_CONSUMPTION_TAX, JP_DUTY, parcel("US", "1200", (T_SHIRT, "US", "9800"))
    )

    [charges] = cost.consignments
    assert (charges.duty, charges.tax, charges.tax_rate) == (D("0"), D("0"), D("0"))
    assert (charges.duty_collection, charges.tax_collection) == (None, None)
    assert (cost.due_at_sale, cost.due_on_delivery, cost.total) == (D("11000"), D("0"), D("11000"))
    assert (
        "Goods value 9800 JPY is at or under the 10000 JPY import tax exemption: no import tax."
        in charges.notes
    )


def test_jp_order_of_12000_jpy_pays_duty_and_consumption_tax_on_delivery():
    # Goods 12,000 > 10,000 JPY. Duty 10 % on CIF: (12,000 + 1,500) * 0.10 = 1,350.
    # Consumption tax 10 % on goods + shipping + duty: (12,000 + 1,350) * 0.10 = 1,335;
    # shipping 1,500 * 0.10 = 150; total 1,485.
    # Due at sale 13,500; on delivery 1,350 + 1,485 = 2,835; total 16,335.
    cost = compute(
        JP_RULES, "JP", JP_CONSUMPTION_TAX, JP_DUTY, parcel("US", "1500", (T_SHIRT, "US", "12000"))
    )

    [charges] = cost.consignments
    assert (charges.duty, charges.tax) == (D("1350"), D("1485"))
    assert charges.duty_collection == charges.tax_collection == Collection.ON_DELIVERY
    assert (cost.due_at_sale, cost.due_on_delivery, cost.total) == (
        D("13500"),
        D("2835"),
        D("16335"),
    )


def test_thresholds_are_checked_in_the_rules_currency_and_charges_stay_in_the_order_currency():
    # A USD order to DE at 0.92 EUR per USD. Only the goods value is converted.
    # 160.00 USD -> 147.20 EUR <= 150: no duty; VAT at sale in USD:
    # 160.00 * 0.19 = 30.40; 12.00 * 0.19 = 2.28; total 32.68. Due at sale 204.68 USD.
    converted = []

    def usd_to_eur(amount: Decimal) -> Decimal:
        converted.append(amount)
        return amount * D("0.92")

    under = compute(
        EU_RULES,
        "DE",
        DE_VAT,
        EU_DUTY,
        parcel("US", "12.00", (T_SHIRT, "US", "160.00")),
        order_currency="USD",
        to_rules_currency=usd_to_eur,
    )

    assert converted == [D("160.00")]
    assert (under.currency, under.duty, under.tax, under.due_at_sale) == (
        "USD",
        D("0.00"),
        D("32.68"),
        D("204.68"),
    )
    assert "Goods value 160.00 USD is 147.20 EUR for the thresholds." in under.consignments[0].notes

    # 170.00 USD -> 156.40 EUR > 150: duty (170.00 + 12.00) * 0.12 = 21.84 USD, on delivery.
    over = compute(
        EU_RULES,
        "DE",
        DE_VAT,
        EU_DUTY,
        parcel("US", "12.00", (T_SHIRT, "US", "170.00")),
        order_currency="USD",
        to_rules_currency=usd_to_eur,
    )

    assert over.duty == D("21.84")
    assert over.consignments[0].tax_collection == Collection.ON_DELIVERY


def test_each_consignment_is_judged_on_its_own():
    # Two merchants, 280.00 EUR of goods together, but each parcel is its own import.
    # A (US): 100.00 <= 150, no duty; VAT at sale 19.00 + 10.00 * 0.19 = 1.90 -> 20.90.
    # B (CN): 180.00 > 150, duty (180.00 + 10.00) * 0.12 = 22.80;
    #   VAT (180.00 + 22.80) * 0.19 = 38.532 -> 38.53, + 1.90 = 40.43; all on delivery.
    # Totals: goods 280.00, shipping 20.00, duty 22.80, tax 61.33;
    # at sale 280.00 + 20.00 + 20.90 = 320.90; on delivery 22.80 + 40.43 = 63.23; total 384.13.
    cost = compute(
        EU_RULES,
        "FR",
        DE_VAT,
        EU_DUTY,
        parcel("US", "10.00", (T_SHIRT, "US", "100.00")),
        parcel("CN", "10.00", (T_SHIRT, "CN", "180.00")),
    )

    small, large = cost.consignments
    assert (small.duty, small.tax, small.tax_collection) == (
        D("0.00"),
        D("20.90"),
        Collection.AT_SALE,
    )
    assert (large.duty, large.tax, large.tax_collection) == (
        D("22.80"),
        D("40.43"),
        Collection.ON_DELIVERY,
    )
    assert (cost.goods, cost.shipping, cost.duty, cost.tax) == (
        D("280.00"),
        D("20.00"),
        D("22.80"),
        D("61.33"),
    )
    assert (cost.due_at_sale, cost.due_on_delivery, cost.total) == (
        D("320.90"),
        D("63.23"),
        D("384.13"),
    )


RATES_IN_NO_PARTICULAR_ORDER = (
    DutyRate(D("0.05")),
    DutyRate(D("0.07"), origin_countries=frozenset({"CN"})),
    DutyRate(D("0.20"), hs_chapter="61", origin_countries=frozenset({"CN"})),
    DutyRate(D("0.12"), hs_chapter="61"),
    DutyRate(D("0.99"), hs_chapter="61"),  # as specific as the one before: never chosen
)


@pytest.mark.parametrize(
    ("hs_code", "origin", "rate"),
    [
        (T_SHIRT, "CN", D("0.20")),  # chapter + origin
        (T_SHIRT, "VN", D("0.12")),  # chapter beats the default, and the first of two wins
        (MUG, "CN", D("0.07")),  # origin beats the default
        (MUG, "VN", D("0.05")),  # the default
    ],
)
def test_the_most_specific_duty_rate_wins(hs_code, origin, rate):
    assert duty_rate_select(RATES_IN_NO_PARTICULAR_ORDER, hs_code, origin) == rate


def test_chapter_beats_origin_and_database_blanks_mean_any():
    rates = (
        DutyRate(D("0.07"), hs_chapter="", origin_countries=frozenset({"CN"})),
        DutyRate(D("0.12"), hs_chapter="61", origin_countries=frozenset()),
    )

    assert duty_rate_select(rates, T_SHIRT, "CN") == D("0.12")
    assert duty_rate_select(rates, MUG, "CN") == D("0.07")


def test_duty_rates_apply_per_line():
    # Over 150 EUR, shipping 0: 100.00 * 0.20 + 100.00 * 0.12 + 100.00 * 0.07 = 39.00.
    cost = compute(
        EU_RULES,
        "DE",
        DE_VAT,
        RATES_IN_NO_PARTICULAR_ORDER,
        parcel(
            "CN",
            "0.00",
            (T_SHIRT, "CN", "100.00"),
            (T_SHIRT, "VN", "100.00"),
            (MUG, "CN", "100.00"),
        ),
    )

    lines = cost.consignments[0].lines
    assert [line.duty_rate for line in lines] == [D("0.20"), D("0.12"), D("0.07")]
    assert cost.duty == D("39.00")


def test_a_missing_default_duty_rate_is_an_error_not_free_duty():
    with pytest.raises(ValueError, match="No duty rate for chapter 69 from CN"):
        duty_rate_select((DutyRate(D("0.12"), hs_chapter="61"),), MUG, "CN")


def test_jpy_rounds_to_whole_yen_and_the_shipping_split_sums_exactly():
    # Three lines of 4,000 JPY, shipping 1,000: shares from the rounded running totals
    # 333.33 -> 333, 666.67 -> 667, 1,000 -> 1,000, so 333, 334, 333 (sum 1,000).
    # Duty 6.5 % on each CIF line: 4,333 * 0.065 = 281.645 -> 282; 4,334 * 0.065 = 281.71 -> 282;
    # 282 again: 846 (rounding each line, not 13,000 * 0.065 = 845).
    # Tax 10 %: each line (4,000 + 282) * 0.10 = 428.2 -> 428, three times 1,284;
    # shipping 1,000 * 0.10 = 100; total 1,384.
    # Due at sale 13,000; on delivery 846 + 1,384 = 2,230.
    rates = (DutyRate(D("0.065")),)
    cost = compute(
        JP_RULES,
        "JP",
        JP_CONSUMPTION_TAX,
        rates,
        parcel("US", "1000", (MUG, "US", "4000"), (MUG, "US", "4000"), (MUG, "US", "4000")),
    )

    [charges] = cost.consignments
    assert [line.shipping_share for line in charges.lines] == [D("333"), D("334"), D("333")]
    assert [line.duty for line in charges.lines] == [D("282"), D("282"), D("282")]
    assert [line.tax for line in charges.lines] == [D("428"), D("428"), D("428")]
    assert (charges.duty, charges.shipping_tax, charges.tax) == (D("846"), D("100"), D("1384"))
    assert (cost.due_at_sale, cost.due_on_delivery) == (D("13000"), D("2230"))
    assert all(amount.as_tuple().exponent == 0 for amount in (cost.duty, cost.tax, cost.total))


@pytest.mark.parametrize(
    ("amounts", "shipping", "currency", "shares"),
    [
        (["10.00", "20.00", "30.00"], "7.00", "EUR", ["1.17", "2.33", "3.50"]),
        (["0.01", "99.99"], "4.99", "EUR", ["0.00", "4.99"]),
        (["0.00", "0.00"], "5.01", "EUR", ["2.51", "2.50"]),  # nothing to weigh by: equal
        (["1", "1", "1"], "2", "JPY", ["1", "0", "1"]),
    ],
)
def test_shipping_split_always_sums_to_the_shipping(amounts, shipping, currency, shares):
    result = shipping_allocate([D(a) for a in amounts], D(shipping), currency)

    assert result == tuple(D(s) for s in shares)
    assert sum(result) == D(shipping)


def test_above_the_at_sale_limit_duty_goes_on_delivery_even_when_the_store_collects_it_below():
    # A variant EU regime with no duty exemption, where the store collects duty at sale (DDP).
    rules = replace(EU_RULES, duty_free_up_to=None, duty_collection=Collection.AT_SALE)

    # 100.00 <= 150: duty (100.00 + 10.00) * 0.12 = 13.20 at sale, as the rules say;
    # VAT (100.00 + 13.20) * 0.19 = 21.508 -> 21.51, + 10.00 * 0.19 = 1.90: 23.41 at sale.
    # Due at sale 100.00 + 10.00 + 13.20 + 23.41 = 146.61.
    under = compute(rules, "DE", DE_VAT, EU_DUTY, parcel("US", "10.00", (T_SHIRT, "US", "100.00")))
    assert under.consignments[0].duty_collection == Collection.AT_SALE
    assert (under.duty, under.tax, under.due_at_sale) == (D("13.20"), D("23.41"), D("146.61"))

    # 200.00 > 150: a normal import, so duty 26.40 and VAT 46.82 are both paid on delivery.
    over = compute(rules, "DE", DE_VAT, EU_DUTY, parcel("US", "20.00", (T_SHIRT, "US", "200.00")))
    assert over.consignments[0].duty_collection == Collection.ON_DELIVERY
    assert (over.due_at_sale, over.due_on_delivery) == (D("220.00"), D("73.22"))


@pytest.mark.parametrize(
    ("goods", "duty", "tax_collection"),
    [
        # Exactly 150.00 EUR is "up to 150": no duty, VAT at sale.
        ("150.00", D("0.00"), Collection.AT_SALE),
        # One cent over: duty (150.01 + 10.00) * 0.12 = 19.2012 -> 19.20, all on delivery.
        ("150.01", D("19.20"), Collection.ON_DELIVERY),
    ],
)
def test_the_threshold_itself_counts_as_under(goods, duty, tax_collection):
    cost = compute(EU_RULES, "DE", DE_VAT, EU_DUTY, parcel("US", "10.00", (T_SHIRT, "US", goods)))

    assert cost.duty == duty
    assert cost.consignments[0].tax_collection == tax_collection


def test_a_destination_outside_the_rules_is_a_programming_error():
    with pytest.raises(ValueError, match="'JP' is not covered"):
        compute(EU_RULES, "JP", DE_VAT, EU_DUTY, parcel("US", "1.00", (MUG, "US", "1.00")))


@pytest.mark.parametrize(
    "consignment",
    [
        parcel("US", "1.00", ("6109", "US", "1.00")),  # HS code too short
        parcel("us", "1.00", (MUG, "US", "1.00")),  # country not upper-case ISO
        parcel("US", "1.001", (MUG, "US", "1.00")),  # more decimals than EUR has
        parcel("US", "1.00", (MUG, "US", "-1.00")),  # negative amount
        parcel("US", "1.00"),  # no lines
    ],
)
def test_malformed_consignments_are_rejected(consignment):
    with pytest.raises(ValueError):
        compute(EU_RULES, "DE", DE_VAT, EU_DUTY, consignment)


def test_an_at_sale_threshold_regime_needs_its_threshold():
    with pytest.raises(ValueError, match="needs tax_at_sale_up_to"):
        replace(EU_RULES, tax_at_sale_up_to=None)


def test_an_empty_order_costs_nothing():
    cost = compute(EU_RULES, "DE", DE_VAT, EU_DUTY)

    assert (cost.consignments, cost.total) == ((), D("0.00"))


def test_rules_accept_the_plain_strings_the_database_stores():
    rules = replace(JP_RULES, tax_collection="on_delivery", duty_collection="on_delivery")

    assert rules.tax_collection is TaxCollection.ON_DELIVERY
    assert rules.duty_collection is Collection.ON_DELIVERY
    with pytest.raises(ValueError):
        replace(JP_RULES, duty_collection="by_pigeon")
