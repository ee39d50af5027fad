"""Product texts for the demo store: categories, attributes, titles, descriptions, brand names
and search queries in the store's six languages. Pure Python and numpy, no Django.

- `CATEGORIES`: the eight demo categories with their names, HS codes, weights, prices and
  countries of origin (`CategorySpec`).
- `product_attributes(category=..., rng=...)`: language-neutral ids, always "kind" and "colour"
  plus 2-3 details by category ("material", "style", "tech", "volume", "age"...).
- `product_text(...)`: (title, description) for those attributes in one language, from varied
  patterns and sentences, so the same attributes describe the same product in every language.
- `brand_name(...)`, `search_query(...)`: invented brands by country, what shoppers type.

Everything is drawn from the `numpy.random.Generator` passed in: the same state gives the same
text. The words live in `storefront.demo.vocabulary`.
"""

import re
from dataclasses import dataclass

from storefront.demo import vocabulary as vocab

LANGUAGES = ("en", "de", "fr", "es", "ja", "zh")
TITLE_MAX = 120

_INDEX = {language: i for i, language in enumerate(LANGUAGES)}
_CJK = ("ja", "zh")
_EN_SMALL = {"a", "an", "and", "by", "for", "in", "of", "the", "with", "ml", "g", "cm"}
_WORD_START = re.compile(r"^([(\[]?)([a-z])")


@dataclass(frozen=True)
class CategorySpec:
    slug: str
    names: dict[str, str]  # language -> category name, all of LANGUAGES
    hs_codes: tuple[str, ...]  # 6-digit HS codes
    weight_grams: tuple[int, int]
    price_eur: tuple[float, float]  # retail price range
    consumable: bool  # bought again when used up
    origins: tuple[str, ...]  # ISO countries of origin


CATEGORIES: dict[str, CategorySpec] = {
    slug: CategorySpec(
        slug=slug,
        names=dict(zip(LANGUAGES, names, strict=True)),
        hs_codes=hs_codes,
        weight_grams=weight_grams,
        price_eur=price_eur,
        consumable=consumable,
        origins=origins,
    )
    for slug, (names, hs_codes, weight_grams, price_eur, consumable, origins) in (
        vocab.CATEGORY_FACTS.items()
    )
}


def _pick(rng, options):
    return options[int(rng.integers(len(options)))]


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def product_attributes(*, category: str, rng) -> dict:
    """Language-neutral ids for one product, e.g. {"kind": "shirt", "colour": "navy",
    "material": "linen", "style": "relaxed"}."""
    kind = _pick(rng, tuple(vocab.KINDS[category]))
    attributes = {"kind": kind, "colour": _pick(rng, vocab.CATEGORY_COLOURS[category])}
    for key, ids, chance in vocab.CATEGORY_ATTRIBUTES[category]:
        if len(attributes) == 5:
            break  # at most three details; the earlier keys come first
        options = ids.get(kind, ()) if isinstance(ids, dict) else ids
        if options and (chance >= 1 or rng.random() < chance):
            attributes[key] = _pick(rng, options)
    return attributes


def colour_name(colour: str, language: str) -> str:
    return vocab.COLOURS[colour][_INDEX[language]]


def category_name(category: str, language: str) -> str:
    return CATEGORIES[category].names[language]


def _value(key: str, value: str, language: str) -> str:
    if key in vocab.UNITS:
        return vocab.UNITS[key][_INDEX[language]].format(n=value)
    return vocab.VALUES[key][value][_INDEX[language]]


def _phrase(category: str, attributes: dict, language: str) -> str:
    """The kind with the category's main detail: "linen shirt", "Hemd aus Leinen"."""
    kind = vocab.KINDS[category][attributes["kind"]][_INDEX[language]]
    main = vocab.CATEGORY_ATTRIBUTES[category][0][0]
    if main not in attributes:
        return kind
    template = vocab.PHRASES[main][_INDEX[language]]
    return template.format(k=kind, d=_value(main, attributes[main], language))


def _details(category: str, attributes: dict, language: str) -> list[tuple[str, str]]:
    """(key, rendered value) of the details that have a sentence of their own."""
    main = vocab.CATEGORY_ATTRIBUTES[category][0][0]
    skip = {"kind", "colour"} if main in vocab.LABELS else {"kind", "colour", main}
    return [
        (key, _value(key, str(value), language))
        for key, value in attributes.items()
        if key not in skip and key in vocab.LABELS
    ]


def _title_case(title: str) -> str:
    """English title case: "Linen Shirt in Navy (Slim Fit)", units and small words kept."""
    words = title.split(" ")
    return " ".join(
        word
        if index and word.strip("()[],") in _EN_SMALL
        else _WORD_START.sub(lambda m: m.group(1) + m.group(2).upper(), word)
        for index, word in enumerate(words)
    )


def _title(rng, category, language, brand, phrase, colour, extras) -> str:
    main = vocab.CATEGORY_ATTRIBUTES[category][0][0]
    extras = [value for key, value in extras if key != main]
    style = "colour" if category in vocab.COLOURED_TITLES else "plain"
    patterns = vocab.TITLES[style][language]
    if not extras:
        patterns = tuple(pattern for pattern in patterns if "{extra}" not in pattern)
    pattern = _pick(rng, patterns)
    extra = _pick(rng, extras) if extras else ""
    title = pattern.format(brand=brand, phrase=phrase, colour=colour, extra=extra)
    title = _title_case(title) if language == "en" else _upper_first(title)
    if len(title) > TITLE_MAX:
        title = _upper_first(f"{brand} {phrase}" if language not in _CJK else f"{brand}{phrase}")
    return title[:TITLE_MAX].strip()


def _description(rng, category, language, brand, phrase, colour, extras) -> str:
    i = _INDEX[language]
    intro = _pick(rng, vocab.INTROS[language]).format(phrase=phrase, brand=brand)
    group = vocab.COLOUR_GROUP.get(category, "colour")
    facts = [vocab.COLOUR_SENTENCES[group][i].format(d=colour)]
    facts += [vocab.LABELS[key][i].format(d=value) for key, value in extras]
    others = vocab.CATEGORY_SENTENCES[category][language] + vocab.GENERIC_SENTENCES[language]
    count = int(rng.integers(2, 5))  # sentences, the intro included
    fact_count = min(len(facts), int(rng.integers(1, count)))
    chosen = [facts[n] for n in rng.permutation(len(facts))[:fact_count]]
    chosen += [others[n] for n in rng.permutation(len(others))[: count - 1 - fact_count]]
    chosen = [chosen[n] for n in rng.permutation(len(chosen))]
    chosen.insert(0 if rng.random() < 0.7 else 1, intro)
    sentences = [_upper_first(sentence.format(brand=brand)) for sentence in chosen]
    return ("" if language in _CJK else " ").join(sentences)


def product_text(
    *, category: str, attributes: dict, language: str, rng, brand: str
) -> tuple[str, str]:
    """(title, description) of a product in `language`; titles are at most 120 characters."""
    phrase = _phrase(category, attributes, language)
    colour = colour_name(attributes["colour"], language)
    extras = _details(category, attributes, language)
    title = _title(rng, category, language, brand, phrase, colour, extras)
    description = _description(rng, category, language, brand, phrase, colour, extras)
    return title, description


def brand_name(*, country: str, rng) -> str:
    """An invented brand fitting `country` ("Nordwerk", "Kumo Labs", "Maison Clairval")."""
    firsts, seconds, before, after = vocab.BRAND_PARTS.get(country, vocab.BRAND_PARTS["US"])
    first = _pick(rng, firsts)
    second = _pick(rng, tuple(s for s in seconds if s != first.lower()))
    stem = first + second
    form = rng.random()
    if form < 0.25 and after:
        return f"{stem} {_pick(rng, after)}"
    if form < 0.4 and before:
        return f"{_pick(rng, before)} {stem}"
    return stem


def _typo(word: str, rng) -> str:
    """One slip of the finger: a letter dropped, two swapped or one doubled."""
    at = int(rng.integers(1, len(word) - 1))
    slip = int(rng.integers(3))
    if slip == 0:
        return word[:at] + word[at + 1 :]
    if slip == 1:
        return word[:at] + word[at + 1] + word[at] + word[at + 2 :]
    return word[:at] + word[at] + word[at:]


def search_query(*, category: str, attributes: dict, language: str, rng) -> str:
    """What a shopper types to find such a product: 1-4 words ("navy linen shirt",
    "Kopfhörer schwarz", "马克杯"), sometimes with a typo (Latin scripts only)."""
    i = _INDEX[language]
    kind = vocab.KINDS[category][attributes["kind"]][i]
    colour = material = ""
    if category in vocab.COLOURED_TITLES and rng.random() < 0.35:
        colour = colour_name(attributes["colour"], language)
    if "material" in attributes and rng.random() < 0.35:
        material = vocab.MATERIALS[attributes["material"]][i]
    if language in _CJK:
        query = colour + material + kind
        return query if len(query) <= 20 else kind
    parts = (colour, material, kind) if language == "en" else (kind, material, colour.lower())
    words = " ".join(part for part in parts if part).split()
    if len(words) > 4:
        words = kind.split()
    if language != "de" or rng.random() < 0.4:
        words = [word.lower() for word in words]
    if rng.random() < 0.12:
        typeable = [n for n, word in enumerate(words) if len(word) >= 4 and word.isalpha()]
        if typeable:
            n = _pick(rng, typeable)
            words[n] = _typo(words[n], rng)
    return " ".join(words)
