"""Orders for a merchant: those with at least one of its lines, showing only its lines."""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status

from catalog.merchant_api import MerchantApi, MerchantCollectionApi
from storefront.models import Order, OrderLine
from storefront.services.orders import order_ship


def orders_of_merchant(*, merchant):
    return (
        Order.objects.filter(lines__merchant=merchant)
        .distinct()
        .prefetch_related(
            Prefetch(
                "lines", queryset=OrderLine.objects.filter(merchant=merchant), to_attr="own_lines"
            ),
            "shipments",
        )
    )


class MerchantOrderOutput(serializers.Serializer):
    class LineSerializer(serializers.Serializer):
        sku = serializers.CharField()
        title = serializers.CharField(source="product_title")
        quantity = serializers.IntegerField()
        merchant_unit_price = serializers.CharField()
        merchant_currency = serializers.CharField()

    number = serializers.CharField()
    status = serializers.CharField()
    created_at = serializers.DateTimeField()
    ship_to_country = serializers.CharField(source="shipping_address.country")
    lines = LineSerializer(many=True, source="own_lines")
    shipped = serializers.SerializerMethodField()

    def get_shipped(self, order) -> bool:
        merchant = self.context["request"].merchant
        return any(shipment.merchant_id == merchant.pk for shipment in order.shipments.all())


class _OrderApi:
    owned = staticmethod(orders_of_merchant)
    output_serializer_class = MerchantOrderOutput
    lookup_field = "number"


class MerchantOrderListApi(_OrderApi, MerchantCollectionApi):
    http_method_names = ["get", "head", "options"]
    filterset_fields = ["status"]
    ordering = ["-created_at"]


class MerchantOrderDetailApi(_OrderApi, MerchantApi):
    def get(self, request, number):
        return self.respond(self.get_object())


class MerchantOrderShipApi(_OrderApi, MerchantApi):
    """Marks the merchant's parcel of the order as shipped, with its tracking number."""

    class InputSerializer(serializers.Serializer):
        carrier = serializers.CharField(max_length=100)
        tracking_number = serializers.CharField(max_length=100)

    input_serializer_class = InputSerializer

    @extend_schema(request=InputSerializer, responses={200: MerchantOrderOutput})
    def post(self, request, number):
        order = self.get_object()
        order_ship(
            order=order, merchant=request.merchant, actor=request.user, **self.validated_input()
        )
        return self.respond(
            orders_of_merchant(merchant=request.merchant).get(pk=order.pk), status.HTTP_200_OK
        )
