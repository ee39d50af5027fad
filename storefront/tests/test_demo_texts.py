"""Demo product texts (`storefront.demo.texts`): complete in every language, in the right
script, varied, deterministic for a given generator. No database."""

import re

import numpy as np
import pytest

from storefront.demo import texts, vocabulary
from storefront.demo.texts import (
    CATEGORIES,
    LANGUAGES,
    brand_name,
    category_name,
    colour_name,
    product_attributes,
    product_text,
    search_query,
)

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
KANA = re.compile(r"[\u3040-\u30ff]")
LATIN_LETTER = re.compile(r"[A-Za-zÀ-ÿ]")
IMAGE_COLOURS = {
    "black", "white", "grey", "navy", "blue", "sky", "green", "olive", "red", "burgundy",
    "pink", "orange", "yellow", "beige", "brown", "purple", "silver", "gold",
}  # fmt: skip
SLUGS = {
    "apparel", "shoes", "electronics", "home_kitchen", "beauty", "coffee_tea", "toys",
    "gift_cards",
}  # fmt: skip
COUNTRIES = ("DE", "FR", "ES", "GB", "US", "JP", "CN")
SEEDS = range(120)


def _products(category: str, seeds=SEEDS):
    for seed in seeds:
        rng = np.random.default_rng(seed)
        yield rng, product_attributes(category=category, rng=rng)


def test_categories_complete():
    assert set(CATEGORIES) == SLUGS
    for slug, spec in CATEGORIES.items():
        assert spec.slug == slug
        assert set(spec.names) == set(LANGUAGES)
        assert all(spec.names[language].strip() for language in LANGUAGES)
        assert all(category_name(slug, language) == spec.names[language] for language in LANGUAGES)
        assert spec.hs_codes and all(re.fullmatch(r"\d{6}", code) for code in spec.hs_codes)
        low, high = spec.weight_grams
        assert 0 < low < high <= 5000
        assert 0 < spec.price_eur[0] < spec.price_eur[1]
        assert spec.origins and all(re.fullmatch(r"[A-Z]{2}", c) for c in spec.origins)
        assert spec.consumable == (slug in ("coffee_tea", "beauty"))
    assert CATEGORIES["gift_cards"].weight_grams == (5, 20)
    assert CATEGORIES["gift_cards"].price_eur == (10.0, 200.0)
    assert CATEGORIES["gift_cards"].hs_codes == ("491199",)


def test_colour_names_in_every_language():
    assert set(vocabulary.COLOURS) == IMAGE_COLOURS
    for colour in IMAGE_COLOURS:
        names = [colour_name(colour, language) for language in LANGUAGES]
        assert all(name.strip() for name in names)
    assert colour_name("navy", "de") == "Marineblau"


@pytest.mark.parametrize("category", sorted(SLUGS))
def test_attributes_render_in_every_language(category):
    for rng, attributes in _products(category):
        assert {"kind", "colour"} <= set(attributes)
        assert attributes["colour"] in IMAGE_COLOURS
        assert 2 <= len(attributes) - 2 <= 3, attributes
        assert all(isinstance(value, str) for value in attributes.values())
        for language in LANGUAGES:
            title, description = product_text(
                category=category, attributes=attributes, language=language, rng=rng, brand="Kumo"
            )
            assert title and description
            assert "{" not in title + description
            assert search_query(
                category=category, attributes=attributes, language=language, rng=rng
            )


@pytest.mark.parametrize("category", sorted(SLUGS))
def test_every_vocabulary_id_renders(category):
    """Each kind with each value any kind may get, not only those drawn above."""
    rng = np.random.default_rng(0)
    for kind in vocabulary.KINDS[category]:
        for colour in vocabulary.CATEGORY_COLOURS[category]:
            assert colour in IMAGE_COLOURS
        for key, ids, _ in vocabulary.CATEGORY_ATTRIBUTES[category]:
            for value in ids.get(kind, ()) if isinstance(ids, dict) else ids:
                attributes = {"kind": kind, "colour": "black", key: value}
                for language in LANGUAGES:
                    product_text(
                        category=category,
                        attributes=attributes,
                        language=language,
                        rng=rng,
                        brand="Kumo",
                    )


def test_same_product_in_every_language():
    """The kind and the material, in each language's words, are in every language's title."""
    for rng, attributes in _products("apparel", range(40)):
        for i, language in enumerate(LANGUAGES):
            title, _ = product_text(
                category="apparel", attributes=attributes, language=language, rng=rng, brand="K"
            )
            kind = vocabulary.KINDS["apparel"][attributes["kind"]][i]
            material = vocabulary.MATERIALS[attributes["material"]][i]
            assert kind.lower() in title.lower(), (language, title)
            assert material.lower() in title.lower(), (language, title)


def test_deterministic():
    def draw(seed):
        rng = np.random.default_rng(seed)
        out = []
        for category in sorted(SLUGS):
            attributes = product_attributes(category=category, rng=rng)
            out.append(attributes)
            for language in LANGUAGES:
                out.append(
                    product_text(
                        category=category,
                        attributes=attributes,
                        language=language,
                        rng=rng,
                        brand="Nordwerk",
                    )
                )
                out.append(
                    search_query(
                        category=category, attributes=attributes, language=language, rng=rng
                    )
                )
        out.extend(brand_name(country=country, rng=rng) for country in COUNTRIES)
        return out

    assert draw(7) == draw(7)
    assert draw(7) != draw(8)


@pytest.mark.parametrize("language", LANGUAGES)
def test_titles_and_descriptions_vary(language):
    colours = sorted(
        (colour_name(colour, language) for colour in IMAGE_COLOURS), key=len, reverse=True
    )
    titles, descriptions = [], []
    for rng, attributes in _products("apparel", range(200)):
        title, description = product_text(
            category="apparel", attributes=attributes, language=language, rng=rng, brand="Nordwerk"
        )
        for name in colours:
            title = re.sub(re.escape(name), "", title, flags=re.IGNORECASE)
        titles.append(title)
        descriptions.append(description)
    assert len(set(titles)) > 100
    assert len(set(descriptions)) > 150


def test_same_attributes_give_different_texts():
    attributes = {"kind": "mug", "colour": "white", "material": "ceramic", "capacity": "350"}
    rng = np.random.default_rng(3)
    results = {
        product_text(
            category="home_kitchen", attributes=attributes, language="en", rng=rng, brand="Oakley"
        )
        for _ in range(50)
    }
    assert len({title for title, _ in results}) >= 4
    assert len({description for _, description in results}) >= 20


@pytest.mark.parametrize("category", sorted(SLUGS))
def test_scripts(category):
    for rng, attributes in _products(category, range(30)):
        for language in LANGUAGES:
            title, description = product_text(
                category=category, attributes=attributes, language=language, rng=rng, brand="Kumo"
            )
            for text in (title, description):
                if language == "ja":
                    assert KANA.search(text) or CJK.search(text), text
                elif language == "zh":
                    assert CJK.search(text) and not KANA.search(text), text
                else:
                    assert LATIN_LETTER.search(text) and not CJK.search(text), text
                if language in ("ja", "zh"):
                    assert " " not in text, text  # no spaces between words


def test_german_nouns_capitalised():
    for kinds in vocabulary.KINDS.values():
        for names in kinds.values():
            assert names[1][0].isupper(), names
    for names in vocabulary.MATERIALS.values():
        assert names[1][0].isupper(), names


@pytest.mark.parametrize("category", sorted(SLUGS))
def test_title_length(category):
    long_brand = "Lindenhaus Manufaktur"
    for rng, attributes in _products(category, range(60)):
        for language in LANGUAGES:
            title, _ = product_text(
                category=category,
                attributes=attributes,
                language=language,
                rng=rng,
                brand=long_brand,
            )
            assert 0 < len(title) <= texts.TITLE_MAX == 120


def test_description_sentence_count():
    for rng, attributes in _products("shoes", range(60)):
        _, description = product_text(
            category="shoes", attributes=attributes, language="en", rng=rng, brand="Kumo"
        )
        assert 2 <= len(re.findall(r"[.?](?:\s|$)", description)) <= 5, description


@pytest.mark.parametrize("country", COUNTRIES)
def test_brand_names_fairly_unique(country):
    rng = np.random.default_rng(11)
    names = [brand_name(country=country, rng=rng) for _ in range(200)]
    assert all(name and name == name.strip() and len(name) <= 40 for name in names)
    assert all(LATIN_LETTER.search(name) for name in names)
    assert len(set(names)) > 100


@pytest.mark.parametrize("language", LANGUAGES)
def test_search_queries(language):
    rng = np.random.default_rng(5)
    queries = []
    for category in sorted(SLUGS):
        for _ in range(60):
            attributes = product_attributes(category=category, rng=rng)
            query = search_query(
                category=category, attributes=attributes, language=language, rng=rng
            )
            assert query == query.strip() and query
            if language in ("ja", "zh"):
                assert len(query) <= 20, query
                assert CJK.search(query) or KANA.search(query) or "USB" in query, query
            else:
                assert 1 <= len(query.split()) <= 4, query
            queries.append((category, attributes, query))
    assert len({query for *_, query in queries}) > 60
    i = LANGUAGES.index(language)
    kinds_only = [
        query
        for category, attributes, query in queries
        if query.lower() == vocabulary.KINDS[category][attributes["kind"]][i].lower()
    ]
    assert len(kinds_only) > 50  # often only the kind
    assert len(kinds_only) < len(queries) - 50  # often more


def test_search_query_typos_latin_only():
    def typos(language):
        rng = np.random.default_rng(9)
        i = LANGUAGES.index(language)
        count = 0
        for _ in range(400):
            attributes = product_attributes(category="apparel", rng=rng)
            query = search_query(
                category="apparel", attributes=attributes, language=language, rng=rng
            )
            known = {
                word.lower()
                for table in (vocabulary.KINDS["apparel"], vocabulary.COLOURS, vocabulary.MATERIALS)
                for names in table.values()
                for word in names[i].split()
            }
            count += any(word.lower() not in known for word in query.split())
        return count

    assert typos("en") > 10
    assert typos("de") > 10
    rng = np.random.default_rng(9)
    for language in ("ja", "zh"):
        for _ in range(400):
            attributes = product_attributes(category="apparel", rng=rng)
            kind = vocabulary.KINDS["apparel"][attributes["kind"]][LANGUAGES.index(language)]
            query = search_query(
                category="apparel", attributes=attributes, language=language, rng=rng
            )
            assert query.endswith(kind), query  # no typos in Japanese or Chinese
