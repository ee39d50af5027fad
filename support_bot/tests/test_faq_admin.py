import pytest

from catalog.tests.factories import MerchantFactory, merchant_staff
from support_bot.models import FaqEntry

pytestmark = pytest.mark.django_db

FAQ = "/admin/support_bot/faqentry/"


@pytest.fixture
def entries():
    mine, theirs = MerchantFactory(), MerchantFactory()
    return {
        "merchant": mine,
        "mine": FaqEntry.objects.create(
            merchant=mine,
            topic="shipping",
            language="de",
            question="Wie schnell?",
            answer="1-3 Tage.",
        ),
        "theirs": FaqEntry.objects.create(
            merchant=theirs,
            topic="shipping",
            language="en",
            question="Secret of theirs?",
            answer="x",
        ),
        "store": FaqEntry.objects.create(
            topic="customs", language="en", question="Store-wide customs?", answer="y"
        ),
    }


def test_staff_see_and_edit_only_their_merchants_entries(client, entries):
    client.force_login(merchant_staff(entries["merchant"]))

    page = client.get(FAQ).content.decode()
    theirs = client.get(f"{FAQ}{entries['theirs'].pk}/change/")
    client.post(f"{FAQ}{entries['theirs'].pk}/delete/", {"post": "yes"})

    assert "Wie schnell?" in page
    assert "Secret of theirs?" not in page and "Store-wide customs?" not in page
    assert theirs.status_code == 302
    assert FaqEntry.objects.filter(pk=entries["theirs"].pk).exists()


def test_an_entry_staff_add_belongs_to_their_merchant(client, entries):
    client.force_login(merchant_staff(entries["merchant"]))

    client.post(
        f"{FAQ}add/",
        {
            "merchant": entries["theirs"].merchant_id,
            "topic": "returns",
            "language": "de",
            "question": "Rückgabe?",
            "answer": "30 Tage.",
        },
    )

    assert FaqEntry.objects.get(question="Rückgabe?").merchant == entries["merchant"]
