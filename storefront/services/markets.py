"""Writes of market reference data: the seed that `seed_markets` loads, and exchange rates."""

import csv
import json
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from storefront.errors import InvalidInput
from storefront.models import (
    CustomsRegime,
    DutyRate,
    ExchangeRate,
    Market,
    ShippingRate,
    ShippingZone,
    TaxRate,
)

FUTURE_TOLERANCE = timedelta(minutes=5)
MARKET_SEED = Path(__file__).resolve().parent.parent / "fixtures" / "markets.json"


def _validated(instance):
    instance.full_clean()
    instance.save()
    return instance


def _upsert(model, lookup: dict, values: dict, *, update: bool) -> tuple[object, bool]:
    """Creates the row if missing; overwrites it with the seed's values only when `update`.
    Returns the row and whether the seed wrote it."""
    instance = model.objects.filter(**lookup).first()
    if instance is not None and not update:
        return instance, False
    instance = instance or model(**lookup)
    for field, value in values.items():
        setattr(instance, field, value)
    return _validated(instance), True


def _customs_regime_seed(spec: dict, *, update: bool) -> None:
    spec = dict(spec)
    duty_rates = spec.pop("duty_rates")
    regime, written = _upsert(CustomsRegime, {"name": spec.pop("name")}, spec, update=update)
    if not written:
        return
    regime.duty_rates.all().delete()
    for rate in duty_rates:
        _validated(DutyRate(regime=regime, valid_from=regime.valid_from, **rate))


def _shipping_seed(spec: dict, *, update: bool) -> None:
    market = Market.objects.get(code=spec["market"])
    zone, written = _upsert(
        ShippingZone,
        {"market": market, "name": spec["zone"]},
        {"countries": spec["countries"]},
        update=update,
    )
    if not written:
        return
    zone.rates.all().delete()
    for max_weight, price, min_days, max_days in spec["rates"]:
        _validated(
            ShippingRate(
                zone=zone,
                max_weight_grams=max_weight,
                price=Decimal(price),
                min_days=min_days,
                max_days=max_days,
            )
        )


@transaction.atomic
def markets_seed(*, path: Path = MARKET_SEED, update: bool = False) -> dict[str, int]:
    """Creates the markets, taxes, customs regimes and shipping rates of the seed file that are
    missing, and leaves existing rows as ops edited them; `update` resets seeded rows to the
    file (a regime's duty rates and a zone's shipping rates are replaced whole)."""
    data = json.loads(path.read_text())
    for spec in data["markets"]:
        values = {k: v for k, v in spec.items() if k != "code"}
        _upsert(Market, {"code": spec["code"]}, values, update=update)
    for spec in data["tax_rates"]:
        lookup = {key: spec[key] for key in ("country", "region", "valid_from")}
        values = {"name": spec["name"], "rate": Decimal(spec["rate"])}
        _upsert(TaxRate, lookup, values, update=update)
    for spec in data["customs_regimes"]:
        _customs_regime_seed(spec, update=update)
    for spec in data["shipping"]:
        _shipping_seed(spec, update=update)
    return {key: len(value) for key, value in data.items() if isinstance(value, list)}


def _exchange_rate_parse(row: dict, line: int, stamp: datetime | None) -> ExchangeRate:
    try:
        rate = Decimal(str(row["rate"]))
        as_of = stamp or parse_datetime(str(row["as_of"]))
    except (KeyError, InvalidOperation, ValueError) as error:
        raise InvalidInput(details={f"row {line}": [f"Unreadable row: {error}"]}) from error
    if as_of is None or as_of.tzinfo is None:
        raise InvalidInput(details={f"row {line}": ["as_of must be an ISO time with a zone."]})
    if as_of > timezone.now() + FUTURE_TOLERANCE:
        # A future rate would win over every real rate published until then.
        raise InvalidInput(details={f"row {line}": ["as_of is in the future."]})
    rate_row = ExchangeRate(
        base=str(row.get("base", "")).upper(),
        quote=str(row.get("quote", "")).upper(),
        rate=rate,
        as_of=as_of,
        source=str(row.get("source", "")),
    )
    try:
        rate_row.full_clean(validate_unique=False, validate_constraints=False)
    except Exception as error:
        raise InvalidInput(details={f"row {line}": [str(error)]}) from error
    if rate_row.rate <= 0 or rate_row.base == rate_row.quote:
        raise InvalidInput(details={f"row {line}": ["A rate is positive, between two currencies."]})
    return rate_row


def _rows_read(path: Path) -> list[dict]:
    if path.suffix == ".json":
        return json.loads(path.read_text())
    with path.open(newline="") as rates_file:
        return list(csv.DictReader(rates_file))


@transaction.atomic
def exchange_rates_load(*, path: Path, stamp: datetime | None = None) -> int:
    """Loads rates from a CSV or JSON file (base, quote, rate, as_of, source). Every row is
    checked before any is written: one bad row loads nothing. `stamp` replaces the files'
    as_of times (for the demo store, whose sample file would otherwise be stale)."""
    parsed = [
        _exchange_rate_parse(row, line, stamp) for line, row in enumerate(_rows_read(path), 1)
    ]
    for rate_row in parsed:
        ExchangeRate.objects.update_or_create(
            base=rate_row.base,
            quote=rate_row.quote,
            as_of=rate_row.as_of,
            defaults={"rate": rate_row.rate, "source": rate_row.source},
        )
    return len(parsed)
