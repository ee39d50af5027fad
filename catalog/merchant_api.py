"""The merchant API under /api/v1/merchant/: a merchant's staff manage their own products,
variants, images and translations with a token.

Every lookup goes through the request's merchant: another merchant's object is a 404 by id and
an invalid choice as a foreign key in a body, exactly as if it did not exist.
"""

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import filters, generics, mixins, serializers, status
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response

from catalog import selectors, services
from catalog.api import ImageOutput
from catalog.models import Category, LocalizedContent, Product, ProductContent, Variant
from storefront.validators import language_tag_normalize


class IsMerchantStaff(BasePermission):
    message = "Only a merchant's staff can use the merchant API."

    def has_permission(self, request, view) -> bool:
        request.merchant = selectors.merchant_for_user(user=request.user)
        return request.merchant is not None


class MerchantApi(generics.GenericAPIView):
    """Base of the merchant API: token or session auth, merchant staff only, and the queryset
    of what the request's merchant owns (`owned`, a selector taking `merchant`)."""

    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated, IsMerchantStaff]
    input_serializer_class: type[serializers.Serializer] | None = None
    output_serializer_class: type[serializers.Serializer]
    owned = None

    def get_queryset(self):
        # The schema generator calls this without a merchant: it then gets an empty queryset.
        return type(self).owned(merchant=getattr(self.request, "merchant", None))

    def get_serializer_class(self):
        return self.output_serializer_class

    def respond(self, obj, status_code: int = status.HTTP_200_OK) -> Response:
        return Response(self.get_serializer(obj).data, status=status_code)

    def validated_input(self, *, partial: bool = False) -> dict:
        serializer = self.input_serializer_class(
            data=self.request.data, partial=partial, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data


class MerchantCollectionApi(mixins.ListModelMixin, MerchantApi):
    """GET lists the merchant's objects (paginated, filtered), POST creates one."""

    filter_backends = [DjangoFilterBackend, filters.OrderingFilter]

    def create(self, data: dict):
        raise NotImplementedError

    def get(self, request, *args, **kwargs):
        return self.list(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        return self.respond(self.create(self.validated_input()), status.HTTP_201_CREATED)


class MerchantItemApi(MerchantApi):
    """GET reads one of the merchant's objects, PATCH changes it, DELETE (where allowed)
    removes it."""

    def update(self, obj, data: dict):
        raise NotImplementedError

    def destroy(self, obj) -> None:
        raise NotImplementedError

    def get(self, request, *args, **kwargs):
        return self.respond(self.get_object())

    def patch(self, request, *args, **kwargs):
        obj = self.get_object()
        return self.respond(self.update(obj, self.validated_input(partial=True)))

    def delete(self, request, *args, **kwargs):
        self.destroy(self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class MerchantArchiveApi(MerchantApi):
    """POST archives one of the merchant's objects; archiving twice is harmless."""

    def archive(self, obj):
        raise NotImplementedError

    @extend_schema(request=None)
    def post(self, request, *args, **kwargs):
        return self.respond(self.archive(self.get_object()))


@extend_schema_field(OpenApiTypes.INT)
class OwnProductField(serializers.PrimaryKeyRelatedField):
    """A product id in a body: only the request's merchant's products are valid choices."""

    def get_queryset(self):
        return selectors.product_list_for_merchant(merchant=self.context["request"].merchant)


class LanguageField(serializers.CharField):
    def to_internal_value(self, data):
        return language_tag_normalize(super().to_internal_value(data))


# --- Products --------------------------------------------------------------------------------


class MerchantProductInput(serializers.Serializer):
    category = serializers.PrimaryKeyRelatedField(queryset=Category.objects.all())
    title = serializers.CharField(max_length=300)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    brand = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    source_language = LanguageField(max_length=16, required=False)
    attributes = serializers.DictField(required=False, default=dict)
    status = serializers.ChoiceField(
        choices=[Product.Status.DRAFT, Product.Status.ACTIVE], required=False
    )


class MerchantProductOutput(serializers.ModelSerializer):
    class Meta:
        model = Product
        fields = [
            "id",
            "category",
            "title",
            "description",
            "brand",
            "source_language",
            "attributes",
            "status",
            "created_at",
            "updated_at",
        ]


class _ProductApi:
    owned = staticmethod(selectors.product_list_for_merchant)
    input_serializer_class = MerchantProductInput
    output_serializer_class = MerchantProductOutput


class MerchantProductListApi(_ProductApi, MerchantCollectionApi):
    filterset_fields = ["status", "category", "brand"]
    ordering_fields = ["created_at", "updated_at", "title"]
    ordering = ["-created_at", "-id"]

    def create(self, data: dict) -> Product:
        return services.product_create(merchant=self.request.merchant, **data)


class MerchantProductDetailApi(_ProductApi, MerchantItemApi):
    http_method_names = ["get", "patch", "head", "options"]

    def update(self, product: Product, data: dict) -> Product:
        return services.product_update(product=product, **data)


class MerchantProductArchiveApi(_ProductApi, MerchantArchiveApi):
    def archive(self, product: Product) -> Product:
        return services.product_archive(product=product)


# --- Variants --------------------------------------------------------------------------------


class MerchantVariantInput(serializers.Serializer):
    product = OwnProductField()
    sku = serializers.CharField(max_length=64)
    name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    attributes = serializers.DictField(required=False)
    price = serializers.DecimalField(max_digits=14, decimal_places=3, min_value=0)
    stock_on_hand = serializers.IntegerField(min_value=0, required=False)
    weight_grams = serializers.IntegerField(min_value=0)
    hs_code = serializers.RegexField(r"^\d{6,10}$", help_text="6 to 10 digits.")
    country_of_origin = serializers.CharField(max_length=2)
    supplier_lead_time_days = serializers.IntegerField(min_value=0, max_value=365, required=False)


class MerchantVariantUpdateInput(MerchantVariantInput):
    product = None  # a variant stays with its product


class MerchantVariantOutput(serializers.ModelSerializer):
    currency = serializers.CharField(source="merchant.currency", read_only=True)

    class Meta:
        model = Variant
        fields = [
            "id",
            "product",
            "sku",
            "name",
            "attributes",
            "price",
            "currency",
            "stock_on_hand",
            "weight_grams",
            "hs_code",
            "country_of_origin",
            "supplier_lead_time_days",
            "status",
            "created_at",
            "updated_at",
        ]


class _VariantApi:
    owned = staticmethod(selectors.variant_list_for_merchant)
    output_serializer_class = MerchantVariantOutput


class MerchantVariantListApi(_VariantApi, MerchantCollectionApi):
    input_serializer_class = MerchantVariantInput
    filterset_fields = ["product", "status", "sku"]
    ordering_fields = ["sku", "stock_on_hand", "price", "created_at"]
    ordering = ["id"]

    def create(self, data: dict) -> Variant:
        return services.variant_create(**data)


class MerchantVariantDetailApi(_VariantApi, MerchantItemApi):
    input_serializer_class = MerchantVariantUpdateInput
    http_method_names = ["get", "patch", "head", "options"]

    def update(self, variant: Variant, data: dict) -> Variant:
        return services.variant_update(variant=variant, **data)


class MerchantVariantArchiveApi(_VariantApi, MerchantArchiveApi):
    def archive(self, variant: Variant) -> Variant:
        return services.variant_archive(variant=variant)


# --- Images ----------------------------------------------------------------------------------


class MerchantImageInput(serializers.Serializer):
    product = OwnProductField()
    image = serializers.FileField(help_text="JPEG, PNG, WebP or GIF; re-encoded as JPEG.")
    alt_text = serializers.CharField(max_length=300, required=False, allow_blank=True)
    position = serializers.IntegerField(min_value=0, max_value=32767, required=False)


class MerchantImageUpdateInput(serializers.Serializer):
    alt_text = serializers.CharField(max_length=300, required=False, allow_blank=True)
    position = serializers.IntegerField(min_value=0, max_value=32767, required=False)


class MerchantImageOutput(ImageOutput):
    id = serializers.IntegerField()
    product = serializers.IntegerField(source="product_id")
    source_format = serializers.CharField()
    sha256 = serializers.CharField()
    position = serializers.IntegerField()
    created_at = serializers.DateTimeField()


class _ImageApi:
    owned = staticmethod(selectors.product_image_list_for_merchant)
    output_serializer_class = MerchantImageOutput


class MerchantImageListApi(_ImageApi, MerchantCollectionApi):
    input_serializer_class = MerchantImageInput
    parser_classes = [MultiPartParser, FormParser]
    filterset_fields = ["product"]
    ordering = ["product_id", "position", "id"]

    def create(self, data: dict):
        return services.product_image_add(
            product=data["product"],
            upload=data["image"],
            alt_text=data.get("alt_text", ""),
            position=data.get("position"),
        )


class MerchantImageDetailApi(_ImageApi, MerchantItemApi):
    input_serializer_class = MerchantImageUpdateInput
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def update(self, image, data: dict):
        return services.product_image_update(image=image, **data)

    def destroy(self, image) -> None:
        services.product_image_delete(image=image)


# --- Translations ----------------------------------------------------------------------------


class MerchantContentInput(serializers.Serializer):
    product = OwnProductField()
    language = LanguageField(max_length=16)
    title = serializers.CharField(max_length=300)
    description = serializers.CharField(required=False, allow_blank=True)
    status = serializers.ChoiceField(choices=LocalizedContent.Status.choices, required=False)


class MerchantContentUpdateInput(MerchantContentInput):
    product = None
    language = None


class MerchantContentOutput(serializers.ModelSerializer):
    class Meta:
        model = ProductContent
        fields = [
            "id",
            "product",
            "language",
            "title",
            "description",
            "source",
            "engine",
            "model_version",
            "status",
            "is_stale",
            "created_at",
            "updated_at",
        ]


class _ContentApi:
    owned = staticmethod(selectors.product_content_list_for_merchant)
    output_serializer_class = MerchantContentOutput


class MerchantContentListApi(_ContentApi, MerchantCollectionApi):
    input_serializer_class = MerchantContentInput
    filterset_fields = ["product", "language", "status", "is_stale"]
    ordering = ["product_id", "language"]

    def create(self, data: dict):
        return services.product_content_create(**data)


class MerchantContentDetailApi(_ContentApi, MerchantItemApi):
    input_serializer_class = MerchantContentUpdateInput

    def update(self, content, data: dict):
        return services.product_content_update(content=content, **data)

    def destroy(self, content) -> None:
        services.product_content_delete(content=content)
