"""Landed cost: what a cross-border order really costs the shopper, and when each part is paid.

A pure engine: no database, no Django. The database layer loads one destination's rules
(`CustomsRules`, `DutyRate`s, the tax rate) and passes them in; `landed_cost_compute` returns the
goods, shipping, duty and tax of every consignment, who collects each charge (the store at sale,
or the carrier on delivery) and human-readable notes for the shopper and the audit log.
docs/taxes-and-duties.md has the regimes modelled, their sources and the simplifications.

Order of computation, for each consignment (what one merchant ships in one parcel) on its own:

1. Goods value = sum of the line amounts (intrinsic value: shipping excluded), converted with
   `to_rules_currency` and rounded to the rules currency, for the threshold comparisons only.
   "Up to" thresholds are inclusive: exactly 150.00 EUR is at or under 150 EUR.
2. Domestic (`ships_from` is inside the destination's customs territory): no duty; the domestic
   tax rate on goods + shipping, collected at sale.
3. Import duty: none when the goods value is at or under `duty_free_up_to`; otherwise, per line,
   the line's duty rate (most specific `DutyRate` wins) on the line amount plus, for CIF regimes
   (`duty_base_includes_shipping`), its pro-rata share of shipping.
4. Import tax: none when the goods value is at or under `tax_free_up_to`; otherwise the tax rate
   on goods + shipping + duty (import VAT is charged on the customs value plus duty). US-style
   sales tax sets `tax_base_includes_duty=False`: duty is not part of the sale price; and
   `tax_base_includes_shipping=False` for states that do not tax delivery charges.
5. Who collects: tax by `tax_collection`; duty by `duty_collection`, except that above the at-sale
   threshold of an `AT_SALE_UP_TO_THRESHOLD` regime (EU IOSS, UK) the parcel is declared as a
   normal import and both duty and tax are paid on delivery. A zero charge has no collection.
6. due_at_sale = goods + shipping + charges collected at sale; due_on_delivery = the others;
   total = both. The order's figures are the sums over its consignments.

Rates reported are the rates applied (0 when exempt). A line that no `DutyRate` matches is a
`ValueError`, not free duty: every regime needs a default rate. Malformed input (a destination
outside the rules, an HS code that is not 6-10 digits, a negative amount, more decimals than the
currency has) is a `ValueError` too: a programming error upstream, never a price.

Rounding: everything is computed in the order currency and rounded half up to its minor unit
(`money_quantize`). Each line's duty and tax is rounded on its own and the lines summed, so that
per-line amounts add up to the totals shown; tax on shipping is its own part, rounded once.
Shipping is split over the lines in whole minor units that sum exactly to the shipping charge.
"""

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from enum import StrEnum

from storefront.money import money_has_valid_exponent, money_quantize

ZERO = Decimal(0)

_COUNTRY_CODE = re.compile(r"[A-Z]{2}")
_HS_CODE = re.compile(r"\d{6,10}")
_HS_CHAPTER = re.compile(r"\d{2}")


class Collection(StrEnum):
    AT_SALE = "at_sale"  # the store charges it with the order and remits it
    ON_DELIVERY = "on_delivery"  # the carrier collects it from the buyer before handing over


class TaxCollection(StrEnum):
    AT_SALE = "at_sale"  # always collected by the store (US sales tax)
    AT_SALE_UP_TO_THRESHOLD = "at_sale_up_to_threshold"  # EU IOSS <= 150 EUR, UK <= 135 GBP
    ON_DELIVERY = "on_delivery"  # import tax paid by the buyer to the carrier (JP)


@dataclass(frozen=True)
class CustomsRules:
    """One destination's import regime; thresholds are in `currency`.

    Country codes are upper-case ISO 3166-1 alpha-2 ("DE")."""

    name: str  # e.g. "EU import (IOSS)"
    countries: frozenset[str]  # the customs territory; a merchant shipping from inside is domestic
    currency: str  # currency of the thresholds
    duty_free_up_to: Decimal | None  # goods value at or under which no duty; None = no exemption
    tax_free_up_to: Decimal | None  # at or under which no import tax; None = no exemption
    tax_collection: TaxCollection
    tax_at_sale_up_to: Decimal | None  # for AT_SALE_UP_TO_THRESHOLD
    duty_collection: Collection  # who collects duty when there is some
    duty_base_includes_shipping: bool  # CIF (EU, UK, JP) vs FOB (US)
    source: str = ""  # where the rule comes from (URL or legal reference)
    # Import VAT is charged on value + duty; US sales tax is charged on the sale price only.
    tax_base_includes_duty: bool = True
    # Some US states (California among them) do not tax separately stated delivery charges.
    tax_base_includes_shipping: bool = True

    def __post_init__(self) -> None:
        # The database hands over plain strings; the enums reject unknown values early.
        object.__setattr__(self, "tax_collection", TaxCollection(self.tax_collection))
        object.__setattr__(self, "duty_collection", Collection(self.duty_collection))
        if (
            self.tax_collection == TaxCollection.AT_SALE_UP_TO_THRESHOLD
            and self.tax_at_sale_up_to is None
        ):
            raise ValueError(f"{self.name}: AT_SALE_UP_TO_THRESHOLD needs tax_at_sale_up_to.")


@dataclass(frozen=True)
class DutyRate:
    """A duty rate for a chapter and/or origins; the most specific match wins:
    chapter + origin > chapter > origin > default; ties go to the first in the list.

    None means "any"; so does an empty value, as the database stores it ("" and [])."""

    rate: Decimal  # 0.12 for 12 %
    hs_chapter: str | None = None  # "61"
    origin_countries: frozenset[str] | None = None

    def __post_init__(self) -> None:
        if self.rate < 0:
            raise ValueError(f"A duty rate cannot be negative: {self.rate}.")
        if self.hs_chapter and not _HS_CHAPTER.fullmatch(self.hs_chapter):
            raise ValueError(f"An HS chapter is two digits such as 61, not {self.hs_chapter!r}.")

    def matches(self, chapter: str, origin_country: str) -> bool:
        return (not self.hs_chapter or self.hs_chapter == chapter) and (
            not self.origin_countries or origin_country in self.origin_countries
        )

    @property
    def specificity(self) -> int:
        # A chapter is worth more than an origin, so chapter-only beats origin-only.
        return 2 * bool(self.hs_chapter) + bool(self.origin_countries)


@dataclass(frozen=True)
class ConsignmentLine:
    hs_code: str  # 6-10 digits; chapter = first 2
    origin_country: str  # country of origin of the goods (for duty rates)
    amount: Decimal  # line total, net of tax, in the ORDER currency


@dataclass(frozen=True)
class Consignment:
    """What one merchant ships in one parcel."""

    ships_from: str  # merchant's country
    lines: tuple[ConsignmentLine, ...]
    shipping: Decimal  # in the order currency


@dataclass(frozen=True)
class LineCharges:
    duty: Decimal
    duty_rate: Decimal  # the rate applied: 0 when domestic or under the duty threshold
    tax: Decimal  # tax on the line amount (and its duty); tax on shipping is not in any line
    shipping_share: Decimal = ZERO  # pro-rata share of shipping (in the duty base when CIF)


@dataclass(frozen=True)
class ConsignmentCharges:
    goods: Decimal
    shipping: Decimal
    duty: Decimal  # sum of the lines' duty
    tax: Decimal  # sum of the lines' tax + shipping_tax
    tax_rate: Decimal  # the rate applied: 0 when under the tax threshold
    duty_collection: Collection | None  # None when duty is 0
    tax_collection: Collection | None  # None when tax is 0
    due_at_sale: Decimal  # goods + shipping + whatever is collected at sale
    due_on_delivery: Decimal
    domestic: bool
    lines: tuple[LineCharges, ...]
    notes: tuple[str, ...]  # which thresholds and rules applied, for the shopper and the audit log
    shipping_tax: Decimal = ZERO


@dataclass(frozen=True)
class LandedCost:
    currency: str
    consignments: tuple[ConsignmentCharges, ...]
    goods: Decimal
    shipping: Decimal
    duty: Decimal
    tax: Decimal
    due_at_sale: Decimal
    due_on_delivery: Decimal
    total: Decimal


@dataclass(frozen=True)
class _Context:
    """What stays the same for every consignment of an order."""

    currency: str  # the order currency
    rules: CustomsRules
    duty_rates: tuple[DutyRate, ...]
    tax_rate: Decimal
    to_rules_currency: Callable[[Decimal], Decimal]


def landed_cost_compute(
    *,
    consignments: Sequence[Consignment],
    destination_country: str,
    order_currency: str,
    rules: CustomsRules,
    duty_rates: Sequence[DutyRate],
    tax_rate: Decimal,
    to_rules_currency: Callable[[Decimal], Decimal],
) -> LandedCost:
    """The landed cost of an order shipped to `destination_country`, whose customs regime is
    `rules`; each consignment is judged on its own. Amounts are in `order_currency`;
    `to_rules_currency` converts the goods value for the threshold comparisons only."""
    if destination_country not in rules.countries:
        raise ValueError(f"{destination_country!r} is not covered by the rules {rules.name!r}.")
    if tax_rate < 0:
        raise ValueError(f"A tax rate cannot be negative: {tax_rate}.")
    context = _Context(order_currency, rules, tuple(duty_rates), tax_rate, to_rules_currency)
    charges = tuple(_consignment_charges_compute(c, context) for c in consignments)
    return _landed_cost_sum(order_currency, charges)


def duty_rate_select(duty_rates: Sequence[DutyRate], hs_code: str, origin_country: str) -> Decimal:
    """The most specific rate for the goods; a missing default is a configuration error, not
    a reason to charge no duty."""
    chapter = hs_code[:2]
    best: DutyRate | None = None
    for candidate in duty_rates:
        # Strictly greater, so that among equally specific rates the first listed wins.
        if candidate.matches(chapter, origin_country) and (
            best is None or candidate.specificity > best.specificity
        ):
            best = candidate
    if best is None:
        raise ValueError(
            f"No duty rate for chapter {chapter} from {origin_country}; add a default rate."
        )
    return best.rate


def shipping_allocate(
    amounts: Sequence[Decimal], shipping: Decimal, currency: str
) -> tuple[Decimal, ...]:
    """Splits shipping pro rata by amount, in minor units, summing exactly to `shipping`.

    Each share is the difference of the rounded running totals, so no rounding error piles up
    on one line and none is lost (1,000 JPY over three equal lines: 333, 334, 333). Lines all
    worth nothing share equally."""
    weights = list(amounts) if sum(amounts, ZERO) > 0 else [Decimal(1)] * len(amounts)
    total_weight = sum(weights, ZERO)
    shares = []
    running_weight = ZERO
    allocated = ZERO
    for weight in weights:
        running_weight += weight
        allocated_so_far = money_quantize(shipping * running_weight / total_weight, currency)
        shares.append(allocated_so_far - allocated)
        allocated = allocated_so_far
    return tuple(shares)


def _consignment_charges_compute(consignment: Consignment, context: _Context) -> ConsignmentCharges:
    _consignment_check(consignment, context.currency)
    if consignment.ships_from in context.rules.countries:
        return _domestic_charges(consignment, context)
    return _import_charges(consignment, context)


def _consignment_check(consignment: Consignment, currency: str) -> None:
    """Bad input here is a programming error upstream; failing loudly beats a wrong price."""
    if not consignment.lines:
        raise ValueError("A consignment has at least one line.")
    _country_check(consignment.ships_from)
    _amount_check(consignment.shipping, currency, "shipping")
    for line in consignment.lines:
        if not _HS_CODE.fullmatch(line.hs_code):
            raise ValueError(f"An HS code is 6 to 10 digits, not {line.hs_code!r}.")
        _country_check(line.origin_country)
        _amount_check(line.amount, currency, "line amount")


def _country_check(code: str) -> None:
    if not _COUNTRY_CODE.fullmatch(code):
        raise ValueError(f"A country is an upper-case ISO 3166 code such as DE, not {code!r}.")


def _amount_check(amount: Decimal, currency: str, what: str) -> None:
    if not isinstance(amount, Decimal) or amount < 0:
        raise ValueError(f"A {what} is a non-negative Decimal, not {amount!r}.")
    if not money_has_valid_exponent(amount, currency):
        raise ValueError(f"A {what} of {amount} has more decimals than {currency} has.")


def _domestic_charges(consignment: Consignment, context: _Context) -> ConsignmentCharges:
    currency, rules, tax_rate = context.currency, context.rules, context.tax_rate
    shipping = money_quantize(consignment.shipping, currency)
    shares = shipping_allocate([line.amount for line in consignment.lines], shipping, currency)
    lines = tuple(
        LineCharges(
            duty=money_quantize(ZERO, currency),
            duty_rate=ZERO,
            tax=money_quantize(tax_rate * line.amount, currency),
            shipping_share=share,
        )
        for line, share in zip(consignment.lines, shares, strict=True)
    )
    shipping_tax = _shipping_tax(shipping, tax_rate, rules, currency)
    charges = _consignment_charges(
        consignment, context, lines, shipping_tax, tax_rate, Collection.AT_SALE, None
    )
    notes = (
        f"Domestic sale: ships from {consignment.ships_from}, inside the customs territory of "
        f"{rules.name}; no duty, {_percent(tax_rate)} tax on "
        f"{_tax_base_words(rules, import_=False)}, collected at sale.",
        _source_note(rules),
    )
    return replace(charges, notes=notes)


def _import_charges(consignment: Consignment, context: _Context) -> ConsignmentCharges:
    currency, rules = context.currency, context.rules
    shipping = money_quantize(consignment.shipping, currency)
    goods = money_quantize(sum((line.amount for line in consignment.lines), ZERO), currency)
    goods_in_rules = _goods_in_rules_currency(goods, context)
    duty_due = not _at_or_under(goods_in_rules, rules.duty_free_up_to)
    tax_due = not _at_or_under(goods_in_rules, rules.tax_free_up_to)
    tax_rate = context.tax_rate if tax_due else ZERO
    shares = shipping_allocate([line.amount for line in consignment.lines], shipping, currency)
    lines = tuple(
        _import_line_charges(line, share, duty_due, tax_rate, context)
        for line, share in zip(consignment.lines, shares, strict=True)
    )
    shipping_tax = _shipping_tax(shipping, tax_rate, rules, currency)
    tax_collection, duty_collection = _import_collections(rules, goods_in_rules)
    charges = _consignment_charges(
        consignment, context, lines, shipping_tax, tax_rate, tax_collection, duty_collection
    )
    notes = (
        *_conversion_notes(goods, goods_in_rules, context),
        _duty_note(goods_in_rules, duty_due, rules),
        _tax_note(goods_in_rules, tax_due, tax_rate, rules),
        *_collection_notes(charges, goods_in_rules, rules),
        _source_note(rules),
    )
    return replace(charges, notes=notes)


def _import_line_charges(
    line: ConsignmentLine,
    shipping_share: Decimal,
    duty_due: bool,
    tax_rate: Decimal,
    context: _Context,
) -> LineCharges:
    rules, currency = context.rules, context.currency
    duty_rate = (
        duty_rate_select(context.duty_rates, line.hs_code, line.origin_country)
        if duty_due
        else ZERO
    )
    duty_base = line.amount + (shipping_share if rules.duty_base_includes_shipping else ZERO)
    duty = money_quantize(duty_base * duty_rate, currency)
    # The duty actually charged (rounded) is what goes into the import tax base.
    tax_base = line.amount + (duty if rules.tax_base_includes_duty else ZERO)
    tax = money_quantize(tax_base * tax_rate, currency)
    return LineCharges(duty=duty, duty_rate=duty_rate, tax=tax, shipping_share=shipping_share)


def _shipping_tax(
    shipping: Decimal, tax_rate: Decimal, rules: CustomsRules, currency: str
) -> Decimal:
    taxed_shipping = shipping if rules.tax_base_includes_shipping else ZERO
    return money_quantize(taxed_shipping * tax_rate, currency)


def _goods_in_rules_currency(goods: Decimal, context: _Context) -> Decimal:
    """The goods value as customs would compare it: in the rules currency, to its minor unit.
    Not converted when the currencies are the same, so no converter can skew it."""
    if context.currency == context.rules.currency:
        return goods
    converted = context.to_rules_currency(goods)
    if not isinstance(converted, Decimal):
        raise TypeError(f"to_rules_currency must return a Decimal, not {converted!r}.")
    return money_quantize(converted, context.rules.currency)


def _at_or_under(value: Decimal, threshold: Decimal | None) -> bool:
    """Thresholds read "up to and including"; None is no threshold at all."""
    return threshold is not None and value <= threshold


def _import_collections(
    rules: CustomsRules, goods_in_rules: Decimal
) -> tuple[Collection, Collection]:
    """(tax collection, duty collection) for an import, before zero charges are dropped."""
    match rules.tax_collection:
        case TaxCollection.AT_SALE:
            return Collection.AT_SALE, rules.duty_collection
        case TaxCollection.AT_SALE_UP_TO_THRESHOLD if _at_or_under(
            goods_in_rules, rules.tax_at_sale_up_to
        ):
            return Collection.AT_SALE, rules.duty_collection
        case TaxCollection.AT_SALE_UP_TO_THRESHOLD:
            # Above the low-value scheme's limit, the parcel is a normal import: the carrier
            # clears it and collects duty and import tax from the buyer together.
            return Collection.ON_DELIVERY, Collection.ON_DELIVERY
        case _:
            return Collection.ON_DELIVERY, rules.duty_collection


def _consignment_charges(
    consignment: Consignment,
    context: _Context,
    lines: tuple[LineCharges, ...],
    shipping_tax: Decimal,
    tax_rate: Decimal,
    tax_collection: Collection,
    duty_collection: Collection | None,
) -> ConsignmentCharges:
    """Sums the lines and splits the charges between sale and delivery; the caller adds the
    notes, which describe the result."""
    currency = context.currency
    goods = money_quantize(sum((line.amount for line in consignment.lines), ZERO), currency)
    shipping = money_quantize(consignment.shipping, currency)
    duty = sum((line.duty for line in lines), money_quantize(ZERO, currency))
    tax = sum((line.tax for line in lines), shipping_tax)
    duty_collection = duty_collection if duty else None
    tax_collection = tax_collection if tax else None
    due_on_delivery = _collected(duty, duty_collection, Collection.ON_DELIVERY) + _collected(
        tax, tax_collection, Collection.ON_DELIVERY
    )
    due_at_sale = (
        goods
        + shipping
        + _collected(duty, duty_collection, Collection.AT_SALE)
        + _collected(tax, tax_collection, Collection.AT_SALE)
    )
    return ConsignmentCharges(
        goods=goods,
        shipping=shipping,
        duty=duty,
        tax=tax,
        tax_rate=tax_rate if tax else ZERO,
        duty_collection=duty_collection,
        tax_collection=tax_collection,
        due_at_sale=due_at_sale,
        due_on_delivery=money_quantize(due_on_delivery, currency),
        domestic=consignment.ships_from in context.rules.countries,
        lines=lines,
        notes=(),
        shipping_tax=shipping_tax,
    )


def _collected(amount: Decimal, collection: Collection | None, when: Collection) -> Decimal:
    return amount if collection == when else ZERO


def _landed_cost_sum(currency: str, charges: tuple[ConsignmentCharges, ...]) -> LandedCost:
    def total(attribute: str) -> Decimal:
        start = money_quantize(ZERO, currency)
        return sum((getattr(c, attribute) for c in charges), start)

    due_at_sale, due_on_delivery = total("due_at_sale"), total("due_on_delivery")
    return LandedCost(
        currency=currency,
        consignments=charges,
        goods=total("goods"),
        shipping=total("shipping"),
        duty=total("duty"),
        tax=total("tax"),
        due_at_sale=due_at_sale,
        due_on_delivery=due_on_delivery,
        total=due_at_sale + due_on_delivery,
    )


# Notes: one sentence per decision, worded for a shopper and precise enough for an audit.


def _conversion_notes(goods: Decimal, goods_in_rules: Decimal, context: _Context) -> list[str]:
    if context.currency == context.rules.currency:
        return []
    return [
        f"Goods value {_money(goods, context.currency)} is "
        f"{_money(goods_in_rules, context.rules.currency)} for the thresholds."
    ]


def _duty_note(goods_in_rules: Decimal, duty_due: bool, rules: CustomsRules) -> str:
    value = _money(goods_in_rules, rules.currency)
    if not duty_due:
        return (
            f"Goods value {value} is at or under the "
            f"{_money(rules.duty_free_up_to, rules.currency)} duty exemption: no duty."
        )
    base = "goods + shipping (CIF)" if rules.duty_base_includes_shipping else "goods (FOB)"
    if rules.duty_free_up_to is None:
        return f"{rules.name} has no duty exemption: duty on {base}."
    threshold = _money(rules.duty_free_up_to, rules.currency)
    return f"Goods value {value} is over the {threshold} duty exemption: duty on {base}."


def _tax_note(
    goods_in_rules: Decimal, tax_due: bool, tax_rate: Decimal, rules: CustomsRules
) -> str:
    if not tax_due:
        return (
            f"Goods value {_money(goods_in_rules, rules.currency)} is at or under the "
            f"{_money(rules.tax_free_up_to, rules.currency)} import tax exemption: no import tax."
        )
    return f"Tax {_percent(tax_rate)} on {_tax_base_words(rules, import_=True)}."


def _collection_notes(
    charges: ConsignmentCharges, goods_in_rules: Decimal, rules: CustomsRules
) -> list[str]:
    notes = []
    if rules.tax_collection == TaxCollection.AT_SALE_UP_TO_THRESHOLD:
        notes.append(_at_sale_limit_note(goods_in_rules, rules))
    for when, words in _COLLECTION_WORDS.items():
        charged = [
            name
            for name, collection in (
                ("duty", charges.duty_collection),
                ("tax", charges.tax_collection),
            )
            if collection == when
        ]
        if charged:
            notes.append(f"{' and '.join(charged).capitalize()} {words}.")
    return notes


_COLLECTION_WORDS = {
    Collection.AT_SALE: "collected at sale by the store",
    Collection.ON_DELIVERY: "paid to the carrier on delivery",
}


def _at_sale_limit_note(goods_in_rules: Decimal, rules: CustomsRules) -> str:
    value = _money(goods_in_rules, rules.currency)
    threshold = _money(rules.tax_at_sale_up_to, rules.currency)
    if _at_or_under(goods_in_rules, rules.tax_at_sale_up_to):
        return f"Goods value {value} is at or under the {threshold} at-sale limit."
    return (
        f"Goods value {value} is over the {threshold} at-sale limit: the parcel is declared as a "
        "normal import, with duty and tax paid on delivery."
    )


def _source_note(rules: CustomsRules) -> str:
    return f"Rules: {rules.name} ({rules.source})." if rules.source else f"Rules: {rules.name}."


def _tax_base_words(rules: CustomsRules, *, import_: bool) -> str:
    parts = ["goods"]
    if rules.tax_base_includes_shipping:
        parts.append("shipping")
    if import_ and rules.tax_base_includes_duty:
        parts.append("duty")
    return " + ".join(parts)


def _money(amount: Decimal, currency: str) -> str:
    # Thresholds come from the database with three places; show them as money: 150.00 EUR.
    return f"{money_quantize(amount, currency):f} {currency}"


def _percent(rate: Decimal) -> str:
    # normalize() drops trailing zeros (7.2500 -> 7.25); :f keeps 10 from becoming 1E+1.
    return f"{(rate * 100).normalize():f} %"
