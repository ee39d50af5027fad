import factory
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token

from catalog import services
from catalog.models import Category, Merchant, Product, Variant
from storefront.models import Market


class MarketFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Market
        django_get_or_create = ["code"]

    code = "de"
    name = "Germany"
    countries = factory.LazyAttribute(lambda market: [market.code.upper()])
    currency = "EUR"
    languages = factory.LazyFunction(lambda: ["de", "en"])


class MerchantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Merchant
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Merchant {n}")
    slug = factory.Sequence(lambda n: f"merchant-{n}")
    country = "DE"
    currency = "EUR"
    default_language = "de"

    @factory.post_generation
    def markets(self, create, extracted, **kwargs):
        if create and extracted:
            self.markets.set(extracted)


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    merchant = factory.SubFactory(MerchantFactory)
    category = factory.SubFactory(CategoryFactory)
    title = factory.Sequence(lambda n: f"Produkt {n}")
    description = "Beschreibung"
    brand = "Acme"
    source_language = factory.LazyAttribute(lambda product: product.merchant.default_language)
    status = Product.Status.ACTIVE


class VariantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Variant

    product = factory.SubFactory(ProductFactory)
    merchant = factory.LazyAttribute(lambda variant: variant.product.merchant)
    sku = factory.Sequence(lambda n: f"SKU-{n:05d}")
    price = "19.99"
    stock_on_hand = 5
    weight_grams = 300
    hs_code = "610910"
    country_of_origin = "PT"


def merchant_staff(merchant: Merchant, *, role: str = "staff", username: str | None = None):
    """A user who is staff of `merchant`, with an API token."""
    user = get_user_model().objects.create_user(
        username=username or f"staff-of-{merchant.slug}", password="correct horse battery"
    )
    services.merchant_member_add(merchant=merchant, user=user, role=role)
    Token.objects.create(user=user)
    return user
