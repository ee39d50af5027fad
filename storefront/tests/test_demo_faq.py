"""The support knowledge base seed (`storefront.demo.faq`): complete in every language, in the
right script, short, and saying what the store's rules and reference data say. No database."""

import json
import re
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

import storefront
from storefront.demo.faq import LANGUAGES, TOPICS, merchant_faq, store_faq

FIELDS = {"topic", "language", "question", "answer", "key"}
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]")
KANA = re.compile(r"[\u3040-\u30ff]")
LATIN_LETTER = re.compile(r"[A-Za-zÀ-ÿ]")
MARKETS_JSON = Path(storefront.__file__).parent / "fixtures" / "markets.json"


def _by_key() -> dict[str, dict[str, dict]]:
    entries: dict[str, dict[str, dict]] = {}
    for entry in store_faq():
        entries.setdefault(entry["key"], {})[entry["language"]] = entry
    return entries


def _answers(key: str) -> dict[str, str]:
    return {language: entry["answer"] for language, entry in _by_key()[key].items()}


def _sentences(text: str, language: str) -> int:
    if language in ("ja", "zh"):
        return (
            len(re.findall("[\u3002\uff01\uff1f](?!$)", text)) + 1
        )  # full stop, full-width ! and ?
    return len(re.findall(r"[.!?](?=\s)", text)) + 1


def _assert_script(entry: dict) -> None:
    text = entry["question"] + entry["answer"]
    if entry["language"] in ("ja", "zh"):
        assert CJK.search(text), entry
        # Japanese is written with kana; Chinese never is.
        assert bool(KANA.search(text)) == (entry["language"] == "ja"), entry
    else:
        assert LATIN_LETTER.search(text), entry
        assert not CJK.search(text), entry


def _merchant(seed: int = 7, **overrides) -> list[dict]:
    args = {
        "merchant_name": "Atelier Lumière",
        "country": "FR",
        "language": "fr",
        "ships_from_days": (1, 3),
        "rng": np.random.default_rng(seed),
    } | overrides
    return merchant_faq(**args)


# ----------------------------------------------------------------------- store_faq


def test_constants() -> None:
    assert TOPICS == ("shipping", "returns", "customs", "payments", "orders")
    assert LANGUAGES == ("en", "de", "fr", "es", "ja", "zh")


def test_entries_have_the_documented_shape() -> None:
    for entry in store_faq():
        assert set(entry) == FIELDS
        assert entry["topic"] in TOPICS
        assert entry["language"] in LANGUAGES
        assert entry["key"].split(".", 1)[0] == entry["topic"]
        assert all(isinstance(entry[field], str) for field in FIELDS)
        assert entry["question"].strip() and entry["answer"].strip(), entry
        assert entry["question"] == entry["question"].strip(), entry
        assert entry["answer"] == entry["answer"].strip(), entry


def test_every_topic_has_at_least_three_questions() -> None:
    keys_per_topic = Counter(key.split(".", 1)[0] for key in _by_key())
    assert set(keys_per_topic) == set(TOPICS)
    assert all(count >= 3 for count in keys_per_topic.values()), keys_per_topic


def test_every_key_exists_once_in_every_language() -> None:
    counts = Counter((entry["key"], entry["language"]) for entry in store_faq())
    assert all(count == 1 for count in counts.values()), counts.most_common(3)
    for key, by_language in _by_key().items():
        assert set(by_language) == set(LANGUAGES), key
        assert len({entry["topic"] for entry in by_language.values()}) == 1


def test_no_two_questions_alike_within_a_language() -> None:
    for language in LANGUAGES:
        questions = [e["question"] for e in store_faq() if e["language"] == language]
        assert len(questions) == len(set(questions)), language


def test_text_is_in_the_script_of_its_language() -> None:
    for entry in store_faq():
        _assert_script(entry)


def test_questions_are_questions_and_answers_are_short() -> None:
    for entry in store_faq():
        assert entry["question"][-1] in "?\uff1f\u3002", entry  # ?, full-width ? or full stop
        assert 1 <= _sentences(entry["answer"], entry["language"]) <= 4, entry


def test_store_faq_returns_fresh_entries() -> None:
    first = store_faq()
    first[0]["answer"] = "changed"
    assert store_faq()[0]["answer"] != "changed"


# ---------------------------------------------------------------- what the text says


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        (
            "customs.eu_threshold",
            {"en": "€150", "de": "150 €", "fr": "150 €", "es": "150 €"}
            | {"ja": "150ユーロ", "zh": "150欧元"},
        ),
        (
            "customs.uk_threshold",
            {"en": "£135", "de": "135 Pfund", "fr": "135 £", "es": "135 £"}
            | {"ja": "135ポンド", "zh": "135英镑"},
        ),
        (
            "customs.japan_threshold",
            {"en": "¥10,000", "de": "10.000 Yen", "fr": "10 000 yens", "es": "10.000 yenes"}
            | {"ja": "1万円", "zh": "1万日元"},
        ),
        (
            "customs.us_duty",
            {"en": "29 August 2025", "de": "29. August 2025", "fr": "29 août 2025"}
            | {"es": "29 de agosto de 2025", "ja": "2025年8月29日", "zh": "2025年8月29日"},
        ),
        (
            "customs.per_parcel",
            {"en": "€150", "de": "150 €", "fr": "150 €", "es": "150 €"}
            | {"ja": "150ユーロ", "zh": "150欧元"},
        ),
    ],
)
def test_customs_answers_give_the_thresholds(key: str, expected: dict[str, str]) -> None:
    answers = _answers(key)
    for language in LANGUAGES:
        assert expected[language] in answers[language], (key, language)


def test_over_the_threshold_the_carrier_collects() -> None:
    carrier = {
        "en": "carrier",
        "de": "Zusteller",
        "fr": "transporteur",
        "es": "transportista",
        "ja": "配送業者",
        "zh": "承运商",
    }
    for key in ("customs.eu_threshold", "customs.uk_threshold", "customs.japan_threshold"):
        for language, answer in _answers(key).items():
            assert carrier[language] in answer, (key, language)
    # The US has no threshold: everything is charged at checkout.
    assert "nothing to pay on delivery" in _answers("customs.us_duty")["en"]


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("returns.window", {lang: "30" for lang in LANGUAGES}),
        (
            "returns.refund_time",
            {"en": "5-10", "de": "5 bis 10", "fr": "5 à 10", "es": "5 a 10"}
            | {"ja": "5〜10営業日", "zh": "5-10个工作日"},
        ),
        (
            "payments.when_charged",
            {"en": "7 days", "de": "7 Tage", "fr": "7 jours", "es": "7 días"}
            | {"ja": "7日間", "zh": "7天"},
        ),
        (
            "orders.on_hold",
            {"en": "7 days", "de": "7 Tagen", "fr": "7 jours", "es": "7 días"}
            | {"ja": "7日", "zh": "7天"},
        ),
    ],
)
def test_policy_answers_give_the_numbers(key: str, expected: dict[str, str]) -> None:
    answers = _answers(key)
    for language in LANGUAGES:
        assert expected[language] in answers[language], (key, language)


def test_numbers_match_the_seeded_reference_data() -> None:
    """The FAQ repeats the seed's thresholds, prices and days: a change there must change it."""
    seed = json.loads(MARKETS_JSON.read_text())
    in_force = [regime for regime in seed["customs_regimes"] if not regime.get("valid_until")]
    regimes = {regime["countries"][0]: regime for regime in in_force}
    assert regimes["AT"]["duty_free_up_to"] == regimes["AT"]["tax_at_sale_up_to"] == "150"
    assert regimes["GB"]["duty_free_up_to"] == regimes["GB"]["tax_at_sale_up_to"] == "135"
    assert regimes["JP"]["duty_free_up_to"] == regimes["JP"]["tax_free_up_to"] == "10000"
    assert regimes["US"]["duty_free_up_to"] is None
    assert regimes["US"]["valid_from"] == "2025-08-29"
    assert regimes["US"]["tax_collection"] == regimes["US"]["duty_collection"] == "at_sale"
    assert {market["code"].upper() for market in seed["markets"]} == {
        "US",
        "GB",
        "DE",
        "FR",
        "ES",
        "JP",
        "CN",
    }

    cost = _answers("shipping.cost")["en"]
    delivery = _answers("shipping.delivery_time")["en"]
    for zone in seed["shipping"]:
        by_weight = {max_grams: (price, low, high) for max_grams, price, low, high in zone["rates"]}
        assert by_weight[500][0] in cost, zone["zone"]
        _, low, high = by_weight[2000]
        assert f"{low}-{high} days" in delivery, zone["zone"]


# -------------------------------------------------------------------- merchant_faq


def test_merchant_faq_is_deterministic_for_a_seed() -> None:
    assert _merchant(seed=11) == _merchant(seed=11)


@pytest.mark.parametrize("language", LANGUAGES)
def test_merchant_faq_in_the_merchant_language_and_english(language: str) -> None:
    for seed in range(20):
        entries = _merchant(seed=seed, language=language)
        languages = {entry["language"] for entry in entries}
        assert languages == {language, "en"}
        keys = Counter(entry["key"] for entry in entries)
        assert 2 <= len(keys) <= 4
        assert all(count == len(languages) for count in keys.values()), keys
        assert entries[0]["key"] == "merchant.dispatch"
        for entry in entries:
            assert set(entry) == FIELDS
            assert entry["key"].startswith("merchant.")
            assert entry["topic"] in TOPICS
            assert entry["question"].strip() and entry["answer"].strip()
            assert "{" not in entry["question"] + entry["answer"], entry
            assert "Atelier Lumière" in entry["question"], entry
            assert 1 <= _sentences(entry["answer"], entry["language"]) <= 4, entry
            _assert_script(entry)


def test_merchant_faq_differs_between_seeds_and_merchants() -> None:
    assert _merchant(seed=1) != _merchant(seed=2)
    other = _merchant(seed=1, merchant_name="Calzados Ruiz", country="ES", language="es")
    assert other != _merchant(seed=1)

    runs = [_merchant(seed=seed) for seed in range(40)]
    assert len({tuple(e["key"] for e in run) for run in runs}) >= 4
    assert {len({e["key"] for e in run}) for run in runs} == {2, 3, 4}
    english_questions = {e["question"] for run in runs for e in run if e["language"] == "en"}
    assert len(english_questions) > 4  # phrasings vary, not only the choice of entries


def test_merchant_dispatch_gives_country_and_days() -> None:
    def dispatch(**overrides) -> dict[str, str]:
        entries = _merchant(**overrides)
        return {e["language"]: e["answer"] for e in entries if e["key"] == "merchant.dispatch"}

    answers = dispatch(country="DE", language="de", ships_from_days=(2, 5))
    assert "from Germany" in answers["en"] and "2-5 business days" in answers["en"]
    assert "aus Deutschland" in answers["de"] and "2-5 Werktagen" in answers["de"]

    answers = dispatch(country="US", language="fr", ships_from_days=(1, 1))
    assert "from the United States" in answers["en"] and "1 business day" in answers["en"]
    assert "depuis les États-Unis" in answers["fr"] and "1 jour ouvré" in answers["fr"]

    answers = dispatch(country="JP", language="ja", ships_from_days=(0, 2))
    assert "日本から" in answers["ja"] and "2営業日以内" in answers["ja"]
    assert "2 business days" in answers["en"]


def test_merchant_faq_in_english_only_for_an_english_merchant() -> None:
    entries = _merchant(language="en", merchant_name="Tees Inc", country="US")
    assert {entry["language"] for entry in entries} == {"en"}
    assert 2 <= len(entries) <= 4


def test_merchant_contact_uses_a_reserved_domain() -> None:
    for name in ("Atelier Lumière", "東京雑貨店"):
        for seed in range(30):
            for entry in _merchant(seed=seed, merchant_name=name, language="ja"):
                if entry["key"] == "merchant.contact":
                    assert re.search(r"support@[a-z0-9-]+\.example", entry["answer"]), entry


def test_merchant_language_tag_is_reduced_to_its_base() -> None:
    assert {e["language"] for e in _merchant(language="de-AT")} == {"de", "en"}


@pytest.mark.parametrize(
    "overrides",
    [
        {"language": "pt"},
        {"country": "XX"},
        {"country": "de"},
        {"ships_from_days": (3, 1)},
        {"ships_from_days": (0, 0)},
        {"merchant_name": "  "},
    ],
)
def test_merchant_faq_refuses_bad_input(overrides: dict) -> None:
    with pytest.raises(ValueError):
        _merchant(**overrides)
