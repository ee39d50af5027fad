"""The shopper's API: account, addresses, cart, quote, checkout, orders, events.

A shopper is either a customer (token from register or login) or a guest, who holds a cart by
its token and an order by its access token. Nobody reads another shopper's cart, orders or
addresses: a lookup that is not theirs is a 404, exactly like one that does not exist.
"""

import secrets

from django.conf import settings
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.authentication import TokenAuthentication
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog.models import Product, Variant
from storefront.api.exceptions import error_body
from storefront.errors import InvalidInput, NotFound
from storefront.models import Address, Customer, Market, Order, ShopperEvent
from storefront.money import money_quantize
from storefront.selectors.carts import cart_get_for_shopper
from storefront.selectors.checkout import checkout_quote
from storefront.selectors.markets import market_get_active
from storefront.services import accounts, carts, checkout, events
from storefront.validators import country_validate


def request_customer(request) -> Customer | None:
    user = request.user
    return getattr(user, "customer", None) if user.is_authenticated else None


class IsCustomer(BasePermission):
    message = "Sign in with a shopper account."

    def has_permission(self, request, view) -> bool:
        return request_customer(request) is not None


class ShopperApi(APIView):
    authentication_classes = [TokenAuthentication]
    permission_classes = [AllowAny]


class CustomerApi(ShopperApi):
    permission_classes = [IsAuthenticated, IsCustomer]

    @property
    def customer(self) -> Customer:
        return request_customer(self.request)


@extend_schema_field(OpenApiTypes.STR)
class MarketCodeField(serializers.Field):
    """A market code such as `de` in, the active Market out (unknown: 400 unknown_market)."""

    def to_internal_value(self, data) -> Market:
        if not isinstance(data, str) or not data.isascii() or len(data) > 16:
            raise serializers.ValidationError("A market code such as de or jp.")
        return market_get_active(code=data.lower())

    def to_representation(self, market: Market) -> str:
        return market.code


class CountryField(serializers.CharField):
    def __init__(self, **kwargs):
        super().__init__(max_length=2, validators=[country_validate], **kwargs)

    def to_internal_value(self, data):
        return super().to_internal_value(data).upper()


# --- Account ----------------------------------------------------------------------------------


class _TokenOutput(serializers.Serializer):
    token = serializers.CharField()


class RegisterApi(ShopperApi):
    throttle_scope = "auth"

    class InputSerializer(serializers.Serializer):
        email = serializers.EmailField()
        password = serializers.CharField(write_only=True)
        market = MarketCodeField(required=False)
        language = serializers.CharField(max_length=16, required=False, default="")

    @extend_schema(request=InputSerializer, responses={201: _TokenOutput})
    def post(self, request):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        _, token = accounts.customer_register(**serializer.validated_data)
        return Response({"token": token}, status=status.HTTP_201_CREATED)


class LoginApi(ShopperApi):
    throttle_scope = "auth"

    class InputSerializer(serializers.Serializer):
        email = serializers.EmailField()
        password = serializers.CharField(write_only=True)

    @extend_schema(request=InputSerializer, responses={200: _TokenOutput})
    def post(self, request):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response({"token": accounts.customer_login(**serializer.validated_data)})


class AccountApi(CustomerApi):
    class OutputSerializer(serializers.Serializer):
        email = serializers.EmailField(source="user.email")
        market = serializers.SlugField(source="market.code", allow_null=True)
        language = serializers.CharField()
        created_at = serializers.DateTimeField()

    class InputSerializer(serializers.Serializer):
        market = MarketCodeField(required=False)
        language = serializers.CharField(max_length=16, required=False, allow_blank=True)

    @extend_schema(responses=OutputSerializer)
    def get(self, request):
        return Response(self.OutputSerializer(self.customer).data)

    @extend_schema(request=InputSerializer, responses=OutputSerializer)
    def patch(self, request):
        serializer = self.InputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        customer = accounts.customer_update(customer=self.customer, **serializer.validated_data)
        return Response(self.OutputSerializer(customer).data)


class AccountExportApi(CustomerApi):
    """Everything the store keeps about you, as one JSON document."""

    @extend_schema(responses={200: dict})
    def get(self, request):
        return Response(accounts.customer_export(customer=self.customer))


class AccountEraseApi(CustomerApi):
    """Erases your personal data and closes the account; orders are kept, anonymised."""

    class InputSerializer(serializers.Serializer):
        password = serializers.CharField(write_only=True)

    @extend_schema(request=InputSerializer, responses={200: dict})
    def post(self, request):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        summary = accounts.customer_erase(customer=self.customer, **serializer.validated_data)
        return Response(summary)


class AddressSerializer(serializers.ModelSerializer):
    country = CountryField()

    class Meta:
        model = Address
        fields = ["id", *accounts.ADDRESS_FIELDS]
        read_only_fields = ["id"]


class AddressListApi(CustomerApi, generics.ListAPIView):
    serializer_class = AddressSerializer

    def get_queryset(self):
        return Address.objects.filter(customer=request_customer(self.request)).order_by("id")

    def post(self, request):
        serializer = AddressSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        address = accounts.address_save(customer=self.customer, **serializer.validated_data)
        return Response(AddressSerializer(address).data, status=status.HTTP_201_CREATED)


class AddressDetailApi(CustomerApi, generics.GenericAPIView):
    serializer_class = AddressSerializer

    def get_queryset(self):
        return Address.objects.filter(customer=request_customer(self.request))

    def get(self, request, pk):
        return Response(AddressSerializer(self.get_object()).data)

    def patch(self, request, pk):
        address = self.get_object()
        serializer = AddressSerializer(address, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        address = accounts.address_save(
            customer=self.customer, address=address, **serializer.validated_data
        )
        return Response(AddressSerializer(address).data)

    def delete(self, request, pk):
        accounts.address_delete(address=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Cart, quote, checkout --------------------------------------------------------------------


class _MoneyField(serializers.DecimalField):
    """An amount as a string in its currency's minor unit ("18.43" EUR, "1990" JPY).
    `currency_of(obj)` names the currency of the object the field reads from; amounts that are
    already rounded (a quote's) need none."""

    def __init__(self, currency_of=None, **kwargs):
        self.currency_of = currency_of
        super().__init__(max_digits=14, decimal_places=3, coerce_to_string=True, **kwargs)

    def get_attribute(self, instance):
        value = super().get_attribute(instance)
        return money_quantize(value, self.currency_of(instance)) if self.currency_of else value

    def to_representation(self, value):
        return str(value)


def _order_currency(obj) -> str:
    return obj.currency


def _line_currency(line) -> str:
    return line.order.currency


class CartOutput(serializers.Serializer):
    class LineSerializer(serializers.Serializer):
        variant = serializers.IntegerField(source="variant_id")
        sku = serializers.CharField(source="variant.sku")
        product = serializers.IntegerField(source="variant.product_id")
        title = serializers.CharField(source="variant.product.title")
        quantity = serializers.IntegerField()

    token = serializers.UUIDField()
    market = serializers.SlugField(source="market.code")
    currency = serializers.CharField(source="market.currency")
    lines = LineSerializer(many=True, source="lines.all")
    checked_out = serializers.SerializerMethodField()

    def get_checked_out(self, cart) -> bool:
        return cart.checked_out_at is not None


class CartCreateApi(ShopperApi):
    class InputSerializer(serializers.Serializer):
        market = MarketCodeField()

    @extend_schema(request=InputSerializer, responses={201: CartOutput})
    def post(self, request):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        cart = carts.cart_create(
            market=serializer.validated_data["market"], customer=request_customer(request)
        )
        return Response(CartOutput(cart).data, status=status.HTTP_201_CREATED)


class _CartApi(ShopperApi):
    def cart(self):
        return cart_get_for_shopper(
            token=self.kwargs["token"], customer=request_customer(self.request)
        )


class CartDetailApi(_CartApi):
    @extend_schema(responses=CartOutput)
    def get(self, request, token):
        return Response(CartOutput(self.cart()).data)


class CartLineApi(_CartApi):
    """Sets how many of a variant the cart holds; quantity 0 removes it."""

    class InputSerializer(serializers.Serializer):
        variant = serializers.IntegerField(min_value=1)
        quantity = serializers.IntegerField(min_value=0, max_value=99)

    @extend_schema(request=InputSerializer, responses=CartOutput)
    def put(self, request, token):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        cart = carts.cart_line_set(
            cart=self.cart(),
            variant_id=serializer.validated_data["variant"],
            quantity=serializer.validated_data["quantity"],
        )
        return Response(CartOutput(cart).data)


class QuoteOutput(serializers.Serializer):
    class LineSerializer(serializers.Serializer):
        variant = serializers.IntegerField(source="variant.pk")
        sku = serializers.CharField(source="variant.sku")
        quantity = serializers.IntegerField()
        unit_price = _MoneyField()
        line_total = _MoneyField()

    class ParcelSerializer(serializers.Serializer):
        merchant = serializers.CharField(source="merchant.name")
        ships_from = serializers.CharField(source="merchant.country")
        shipping = _MoneyField()
        delivery_days = serializers.SerializerMethodField()

        def get_delivery_days(self, parcel) -> list[int]:
            return [parcel.shipping_rate.min_days, parcel.shipping_rate.max_days]

    currency = serializers.CharField()
    country = serializers.CharField()
    lines = LineSerializer(many=True)
    parcels = ParcelSerializer(many=True)
    subtotal = _MoneyField(source="landed_cost.goods")
    shipping = _MoneyField(source="landed_cost.shipping")
    duty = _MoneyField(source="landed_cost.duty")
    tax = _MoneyField(source="landed_cost.tax")
    due_at_sale = _MoneyField(source="landed_cost.due_at_sale")
    due_on_delivery = _MoneyField(source="landed_cost.due_on_delivery")
    total = _MoneyField(source="landed_cost.total")
    notes = serializers.SerializerMethodField()

    def get_notes(self, quote) -> list[str]:
        return [note for charges in quote.landed_cost.consignments for note in charges.notes]


class CartQuoteApi(_CartApi):
    """What the cart costs delivered to a country: shipping, duty and taxes, what is paid now
    and what the carrier collects on delivery."""

    class InputSerializer(serializers.Serializer):
        country = CountryField()
        region = serializers.CharField(max_length=100, required=False, default="")

    @extend_schema(request=InputSerializer, responses=QuoteOutput)
    def post(self, request, token):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        quote = checkout_quote(cart=self.cart(), now=timezone.now(), **serializer.validated_data)
        return Response(QuoteOutput(quote).data)


class OrderOutput(serializers.Serializer):
    class LineSerializer(serializers.Serializer):
        sku = serializers.CharField()
        title = serializers.CharField(source="product_title")
        quantity = serializers.IntegerField()
        unit_price = _MoneyField(currency_of=_line_currency)
        line_total = _MoneyField(currency_of=_line_currency)
        duty = _MoneyField(currency_of=_line_currency)
        tax = _MoneyField(currency_of=_line_currency)

    class ShipmentSerializer(serializers.Serializer):
        carrier = serializers.CharField()
        tracking_number = serializers.CharField()
        shipped_at = serializers.DateTimeField()

    class HistorySerializer(serializers.Serializer):
        status = serializers.CharField(source="to_status")
        at = serializers.DateTimeField(source="created_at")

    number = serializers.CharField()
    access_token = serializers.SerializerMethodField()
    status = serializers.CharField()
    email = serializers.EmailField()
    currency = serializers.CharField()
    lines = LineSerializer(many=True, source="lines.all")
    subtotal = _MoneyField(currency_of=_order_currency)
    shipping = _MoneyField(source="shipping_total", currency_of=_order_currency)
    duty = _MoneyField(source="duty_total", currency_of=_order_currency)
    tax = _MoneyField(source="tax_total", currency_of=_order_currency)
    due_at_sale = _MoneyField(currency_of=_order_currency)
    due_on_delivery = _MoneyField(currency_of=_order_currency)
    shipping_address = serializers.JSONField()
    shipments = ShipmentSerializer(many=True, source="shipments.all")
    history = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()

    def get_access_token(self, order) -> str | None:
        # Only the response to the checkout itself carries it: a guest keeps it to look up
        # the order later.
        return order.access_token if self.context.get("show_access_token") else None

    def get_history(self, order) -> list[dict]:
        changes = order.events.filter(kind="status_changed")
        return self.HistorySerializer(changes, many=True).data


class CheckoutApi(_CartApi):
    """Places and pays the order. Requires an `Idempotency-Key` header: repeating the request
    with the same key returns the same answer (201 with the order, or the same 402) and never
    places a second order."""

    throttle_scope = "checkout"

    class InputSerializer(serializers.Serializer):
        email = serializers.EmailField()
        shipping_address = AddressSerializer()
        billing_country = CountryField()
        payment_method = serializers.CharField(max_length=100)
        device_id = serializers.RegexField(r"^[A-Za-z0-9_-]{1,64}$", required=False, default="")

    @extend_schema(
        request=InputSerializer,
        responses={201: OrderOutput},
        parameters=[
            OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER, required=True)
        ],
    )
    def post(self, request, token):
        key = request.headers.get("Idempotency-Key", "").strip()
        if not key or len(key) > 100:
            raise InvalidInput(
                "Send an Idempotency-Key header (up to 100 characters) with each checkout.",
                code="idempotency_key_required",
            )
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        cart = self.cart()
        customer = request_customer(request)

        def place() -> tuple[int, dict]:
            order = checkout.checkout_complete(
                cart=cart,
                customer=customer,
                request=checkout.CheckoutRequest(
                    email=data["email"],
                    shipping_address=dict(data["shipping_address"]),
                    billing_country=data["billing_country"],
                    payment_method=data["payment_method"],
                    client_ip=request.META.get("REMOTE_ADDR"),
                    ip_country=request.META.get(settings.CLIENT_COUNTRY_HEADER, "")[:2].upper(),
                    device_id=data["device_id"],
                ),
            )
            context = {"show_access_token": True}
            return status.HTTP_201_CREATED, OrderOutput(order, context=context).data

        result = checkout.idempotent_run(
            scope=f"checkout:{cart.token}",
            key=key,
            request_hash=checkout.request_fingerprint(request.data),
            run=place,
        )
        body = result.body if result.status_code < 400 else error_body(**result.body)
        headers = {"Idempotent-Replayed": "true"} if result.replayed else {}
        return Response(body, status=result.status_code, headers=headers)


# --- Orders -----------------------------------------------------------------------------------


def _orders_visible():
    return Order.objects.prefetch_related("lines", "shipments", "events")


class OrderListApi(CustomerApi, generics.ListAPIView):
    serializer_class = OrderOutput

    def get_queryset(self):
        return _orders_visible().filter(customer=request_customer(self.request))


class OrderDetailApi(ShopperApi):
    """A customer reads their own orders; a guest reads theirs with the access token given at
    checkout, in the `X-Order-Token` header."""

    @extend_schema(
        responses=OrderOutput,
        parameters=[OpenApiParameter("X-Order-Token", str, OpenApiParameter.HEADER)],
    )
    def get(self, request, number):
        order = _orders_visible().filter(number=number).first()
        customer = request_customer(request)
        token = request.headers.get("X-Order-Token", "")
        owns = order is not None and (
            (customer is not None and order.customer_id == customer.pk)
            or (
                order.customer_id is None
                and token
                and secrets.compare_digest(token, order.access_token)
            )
        )
        if not owns:
            raise NotFound("No such order.")
        return Response(OrderOutput(order).data)


# --- Events -----------------------------------------------------------------------------------

MAX_EVENTS_PER_REQUEST = 50


class EventsApi(ShopperApi):
    """Records what a shopper does, for recommendations and forecasts. Guests send a
    `client_id` (a random id the client keeps); customers are known by their token."""

    throttle_scope = "events"

    class EventSerializer(serializers.Serializer):
        # Purchases are recorded by the server when an order is paid; a client could forge them.
        type = serializers.ChoiceField(
            choices=[c for c in ShopperEvent.Type.choices if c[0] != ShopperEvent.Type.PURCHASE]
        )
        product = serializers.PrimaryKeyRelatedField(
            queryset=Product.objects.filter(status=Product.Status.ACTIVE), required=False
        )
        variant = serializers.PrimaryKeyRelatedField(
            queryset=Variant.objects.filter(status=Variant.Status.ACTIVE), required=False
        )
        query = serializers.CharField(max_length=200, required=False, allow_blank=True)
        quantity = serializers.IntegerField(min_value=1, max_value=999, required=False)

        def validate(self, event):
            if event["type"] == ShopperEvent.Type.SEARCH and not event.get("query"):
                raise serializers.ValidationError({"query": ["A search event needs its query."]})
            if event["type"] != ShopperEvent.Type.SEARCH and "product" not in event:
                raise serializers.ValidationError({"product": ["This event needs a product."]})
            if "variant" in event and event["variant"].product_id != event["product"].pk:
                raise serializers.ValidationError({"variant": ["Not a variant of this product."]})
            return event

    class InputSerializer(serializers.Serializer):
        client_id = serializers.RegexField(r"^[A-Za-z0-9_-]{8,64}$", required=False)
        session_id = serializers.RegexField(r"^[A-Za-z0-9_-]{1,64}$", required=False, default="")
        market = MarketCodeField(required=False)
        events = serializers.ListField(
            child=serializers.DictField(), min_length=1, max_length=MAX_EVENTS_PER_REQUEST
        )

    class OutputSerializer(serializers.Serializer):
        recorded = serializers.IntegerField()

    @extend_schema(request=InputSerializer, responses={201: OutputSerializer})
    def post(self, request):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        customer = request_customer(request)
        if customer is None and "client_id" not in data:
            raise InvalidInput(details={"client_id": ["Guests identify with a client_id."]})
        event_serializer = self.EventSerializer(data=data["events"], many=True)
        if not event_serializer.is_valid():
            raise InvalidInput(details={"events": event_serializer.errors})
        recorded = events.events_record(
            events=event_serializer.validated_data,
            customer=customer,
            client_id="" if customer else data["client_id"],
            market=data.get("market"),
            session_id=data["session_id"],
        )
        return Response({"recorded": recorded}, status=status.HTTP_201_CREATED)
