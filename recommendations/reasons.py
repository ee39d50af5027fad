"""Why an item is recommended, in the shopper's language (the store's main languages; others
fall back to English). `{product}` is the localized title of the item the reason points to."""

from babel import Locale
from babel.lists import format_list

REASONS = {
    "en": {
        "because_viewed": "Because you viewed {product}",
        "similar": "Similar to {product}",
        "also_viewed": "Shoppers who viewed {product} also viewed this",
        "bought_together": "Often bought with {product}",
        "trending": "Popular in {market} this week",
    },
    "de": {
        "because_viewed": "Weil Sie {product} angesehen haben",
        "similar": "Ähnlich wie {product}",
        "also_viewed": "Wer {product} angesehen hat, sah sich auch dies an",
        "bought_together": "Oft zusammen mit {product} gekauft",
        "trending": "Diese Woche beliebt in {market}",
    },
    "fr": {
        "because_viewed": "Parce que vous avez consulté {product}",
        "similar": "Semblable à {product}",
        "also_viewed": "Les clients qui ont consulté {product} ont aussi consulté ceci",
        "bought_together": "Souvent acheté avec {product}",
        "trending": "Populaire cette semaine : {market}",
    },
    "es": {
        "because_viewed": "Porque viste {product}",
        "similar": "Similar a {product}",
        "also_viewed": "Quienes vieron {product} también vieron esto",
        "bought_together": "Se compra a menudo con {product}",
        "trending": "Popular esta semana en {market}",
    },
    "ja": {
        "because_viewed": "{product}を見た方へ",
        "similar": "{product}に似た商品",
        "also_viewed": "{product}を見た人はこちらも見ています",
        "bought_together": "{product}と一緒によく購入されています",
        "trending": "今週{market}で人気",
    },
}


def reason_text(*, code: str, language: str, product: str = "", countries=()) -> str:
    """The reason for `code`; `countries` (ISO codes, the market's) are named in the language."""
    base = language.split("-", 1)[0]
    texts = REASONS.get(base, REASONS["en"])
    return texts[code].format(product=product, market=countries_name(countries, language=base))


def countries_name(countries, *, language: str) -> str:
    """["DE", "AT"] in German: "Deutschland und Österreich"."""
    locale = Locale.parse(language if language in REASONS else "en")
    names = [locale.territories.get(code, code) for code in countries]
    return format_list(names, locale=locale) if names else ""
