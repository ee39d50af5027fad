"""Validators for the codes that cross-border data is keyed by: ISO 3166 countries, ISO 4217
currencies and BCP 47 language tags. CLDR data (babel) is the reference."""

import re
from functools import cache

from babel import Locale
from babel.numbers import list_currencies
from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible

_LANGUAGE_TAG = re.compile(r"[a-z]{2,3}(?:-[A-Za-z]{4})?(?:-(?:[A-Z]{2}|\d{3}))?")


# Two-letter CLDR territories that are groupings or placeholders, not countries.
_NOT_COUNTRIES = frozenset({"EU", "EZ", "UN", "ZZ", "QO", "XA", "XB"})


@cache
def _countries() -> frozenset[str]:
    territories = Locale("en").territories
    return frozenset(code for code in territories if len(code) == 2) - _NOT_COUNTRIES


@cache
def _currencies() -> frozenset[str]:
    return frozenset(list_currencies())


def country_validate(code: str) -> None:
    if code not in _countries():
        raise ValidationError(f"{code!r} is not an ISO 3166 country code such as DE or JP.")


def currency_validate(code: str) -> None:
    if code not in _currencies():
        raise ValidationError(f"{code!r} is not an ISO 4217 currency code such as EUR or JPY.")


def language_tag_normalize(tag: str) -> str:
    """`de_at` and `DE-at` become `de-AT`; `zh-hans-cn` becomes `zh-Hans-CN`."""
    parts = tag.strip().replace("_", "-").split("-")
    normalized = [parts[0].lower()]
    for part in parts[1:]:
        if len(part) == 4 and part.isalpha():
            normalized.append(part.title())
        else:
            normalized.append(part.upper())
    return "-".join(normalized)


def language_validate(tag: str) -> None:
    if not _LANGUAGE_TAG.fullmatch(tag):
        raise ValidationError(f"{tag!r} is not a language tag such as de, de-AT or zh-Hans.")


@deconstructible
class EachItem:
    """A validator for a JSON list field whose every item `validate` accepts."""

    def __init__(self, validate) -> None:
        self.validate = validate

    def __call__(self, value) -> None:
        if not isinstance(value, list):
            raise ValidationError("Expected a list.")
        for item in value:
            self.validate(item)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, EachItem) and other.validate is self.validate

    def __hash__(self) -> int:
        return hash(self.validate)
