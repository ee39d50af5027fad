"""Which language a request wants, and the chain of languages to fall back through.

A request asks with `?lang=` or, failing that, `Accept-Language`; the first tag whose base
language the store supports (STORE_LANGUAGES) wins, region kept: `de-AT` resolves to `de-AT` when
the store supports `de`. Content is then looked up along `de-AT -> de -> <source language>`.
"""

from django.conf import settings
from django.utils.translation.trans_real import parse_accept_lang_header

from storefront.errors import InvalidInput
from storefront.validators import language_tag_normalize, language_validate


def _base_language(tag: str) -> str:
    return tag.split("-", 1)[0]


def _is_supported(tag: str) -> bool:
    return _base_language(tag) in settings.STORE_LANGUAGES


def _valid_tag(tag: str) -> str | None:
    normalized = language_tag_normalize(tag)
    try:
        language_validate(normalized)
    except Exception:
        return None
    return normalized


def request_language_resolve(
    *, requested: str | None, accept_language: str | None, default: str
) -> str:
    """`requested` (the `lang` parameter) must be a supported tag, or the request is refused;
    `Accept-Language` entries that are invalid or unsupported are skipped."""
    if requested:
        tag = _valid_tag(requested)
        if tag is None or not _is_supported(tag):
            raise InvalidInput(
                "Unsupported language.",
                code="unsupported_language",
                details={"lang": [f"Use one of: {', '.join(settings.STORE_LANGUAGES)}."]},
            )
        return tag
    for header_tag, _quality in parse_accept_lang_header(accept_language or ""):
        tag = _valid_tag(header_tag) if header_tag != "*" else None
        if tag and _is_supported(tag):
            return tag
    return default


def language_fallback_chain(language: str, source_language: str) -> list[str]:
    """`de-AT` with source `en` gives `["de-AT", "de", "en"]`; no repeats."""
    chain = [language, _base_language(language), source_language]
    return list(dict.fromkeys(chain))
