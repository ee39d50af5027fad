from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone

from storefront.money import AMOUNT_DECIMAL_PLACES, AMOUNT_MAX_DIGITS
from storefront.validators import country_validate, currency_validate, language_validate


class Merchant(models.Model):
    """A seller on the marketplace, in its own country and currency."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)
    country = models.CharField(max_length=2, validators=[country_validate])
    currency = models.CharField(max_length=3, validators=[currency_validate])
    default_language = models.CharField(max_length=16, validators=[language_validate])
    markets = models.ManyToManyField("storefront.Market", blank=True, related_name="merchants")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class MerchantMembership(models.Model):
    """Makes a user staff of one merchant. Ops are superusers and belong to none."""

    class Role(models.TextChoices):
        OWNER = "owner", "Owner"
        STAFF = "staff", "Staff"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="merchant_membership"
    )
    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.STAFF)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.user} ({self.role} of {self.merchant})"


class LocalizedContent(models.Model):
    """Text of one object in one language, human-written or machine-translated.

    `source_hash` is the hash of the source-language text this was made from; when the source
    changes the content is marked stale, and stale content is not shown to shoppers until it is
    re-translated or re-approved. A new language is a new row, never a schema change.
    """

    class Source(models.TextChoices):
        HUMAN = "human", "Human"
        MACHINE = "machine", "Machine"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        APPROVED = "approved", "Approved"

    language = models.CharField(max_length=16, validators=[language_validate])
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.HUMAN)
    engine = models.CharField(max_length=100, blank=True, help_text="Machine translations only.")
    model_version = models.CharField(max_length=100, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    source_hash = models.CharField(max_length=64)
    is_stale = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class Category(models.Model):
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    slug = models.SlugField(max_length=100, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    source_language = models.CharField(max_length=16, default="en", validators=[language_validate])
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name


class CategoryContent(LocalizedContent):
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="contents")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["category", "language"], name="category_content_one_per_language"
            )
        ]
        verbose_name = "category translation"

    def __str__(self) -> str:
        return f"{self.category} [{self.language}]"


class Product(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        ACTIVE = "active", "Active"
        ARCHIVED = "archived", "Archived"

    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="products")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="products")
    brand = models.CharField(max_length=100, blank=True)
    source_language = models.CharField(max_length=16, validators=[language_validate])
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    attributes = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "category"]),
            models.Index(fields=["merchant", "status"]),
        ]

    def __str__(self) -> str:
        return self.title


class ProductContent(LocalizedContent):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="contents")
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["product", "language"], name="product_content_one_per_language"
            )
        ]
        verbose_name = "product translation"

    def __str__(self) -> str:
        return f"{self.product} [{self.language}]"


class Variant(models.Model):
    """A stock-keeping unit. `merchant` repeats the product's so that the database itself keeps
    SKU codes unique per merchant."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        ARCHIVED = "archived", "Archived"

    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="variants")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="variants")
    sku = models.CharField("SKU", max_length=64)
    name = models.CharField(max_length=200, blank=True, help_text="Such as 'Red / M'.")
    attributes = models.JSONField(default=dict, blank=True)
    price = models.DecimalField(
        max_digits=AMOUNT_MAX_DIGITS,
        decimal_places=AMOUNT_DECIMAL_PLACES,
        validators=[MinValueValidator(0)],
        help_text="In the merchant's currency.",
    )
    stock_on_hand = models.PositiveIntegerField(default=0)
    quantity_allocated = models.PositiveIntegerField(
        default=0, editable=False, help_text="Held for placed orders not yet shipped."
    )
    weight_grams = models.PositiveIntegerField()
    hs_code = models.CharField(
        "HS code",
        max_length=10,
        validators=[RegexValidator(r"^\d{6,10}$", "An HS code has 6 to 10 digits.")],
    )
    country_of_origin = models.CharField(max_length=2, validators=[country_validate])
    supplier_lead_time_days = models.PositiveSmallIntegerField(default=14)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["product_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["merchant", "sku"], name="variant_sku_unique_per_merchant"
            ),
            models.CheckConstraint(
                condition=models.Q(price__gte=0), name="variant_price_not_negative"
            ),
            # The last line of defence against overselling.
            models.CheckConstraint(
                condition=models.Q(quantity_allocated__lte=models.F("stock_on_hand")),
                name="variant_allocation_within_stock",
            ),
        ]

    def __str__(self) -> str:
        return self.sku


def _product_image_path(image: "ProductImage", filename: str) -> str:
    return f"products/{image.product.merchant_id}/{image.product_id}/{filename}"


class ProductImage(models.Model):
    """A photo, re-encoded on upload (EXIF orientation applied, metadata removed)."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="images")
    image = models.FileField(upload_to=_product_image_path)
    thumbnail = models.FileField(upload_to=_product_image_path)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    source_format = models.CharField(max_length=10)
    sha256 = models.CharField(max_length=64)
    alt_text = models.CharField(max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.product} #{self.position}"


class PriceChange(models.Model):
    """The price history of a variant: regular changes and promotions with their dates, so
    that forecasts can tell a promotion's spike from demand."""

    variant = models.ForeignKey(Variant, on_delete=models.CASCADE, related_name="price_changes")
    price = models.DecimalField(max_digits=AMOUNT_MAX_DIGITS, decimal_places=AMOUNT_DECIMAL_PLACES)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField(null=True, blank=True)
    is_promotion = models.BooleanField(default=False)

    class Meta:
        ordering = ["variant", "starts_at"]
        indexes = [models.Index(fields=["variant", "starts_at"])]

    def __str__(self) -> str:
        return f"{self.variant} {self.price} from {self.starts_at:%Y-%m-%d}"


class ProductEmbedding(models.Model):
    """A product's content as vectors: its source-language text and its first photo.

    Vectors are float32 bytes. `source_hash` identifies what was embedded (title, description,
    first photo's file name): a product whose current hash differs is stale and is re-embedded by
    the periodic job, as is one embedded by another text encoder than the configured one.
    """

    product = models.OneToOneField(Product, on_delete=models.CASCADE, related_name="embedding")
    text_vector = models.BinaryField()
    image_vector = models.BinaryField(
        null=True, help_text="Null when the product has no photo or its file could not be read."
    )
    text_encoder = models.CharField(max_length=100)
    source_hash = models.CharField(max_length=64)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    def __str__(self) -> str:
        return f"Embedding of product {self.product_id}"
