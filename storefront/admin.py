"""Ops screens for markets, taxes, duties, shipping and rates (data, editable here), and the
order screens that merchants share with ops, scoped to the merchant's own lines."""

from django.contrib import admin, messages

from catalog.admin import request_merchant
from storefront.errors import StorefrontError
from storefront.models import (
    CustomsRegime,
    DutyRate,
    ExchangeRate,
    Market,
    Order,
    OrderEvent,
    OrderLine,
    Payment,
    ShippingRate,
    ShippingZone,
    TaxRate,
)
from storefront.services import orders as order_services


class ShippingZoneInline(admin.TabularInline):
    model = ShippingZone
    extra = 0
    show_change_link = True


@admin.register(Market)
class MarketAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "currency", "prices_include_tax", "is_active"]
    list_filter = ["is_active", "currency"]
    search_fields = ["code", "name"]
    inlines = [ShippingZoneInline]


class ShippingRateInline(admin.TabularInline):
    model = ShippingRate
    extra = 0


@admin.register(ShippingZone)
class ShippingZoneAdmin(admin.ModelAdmin):
    list_display = ["name", "market"]
    list_filter = ["market"]
    inlines = [ShippingRateInline]


@admin.register(TaxRate)
class TaxRateAdmin(admin.ModelAdmin):
    list_display = ["country", "region", "name", "rate", "valid_from", "valid_until"]
    list_filter = ["country"]
    search_fields = ["name", "country", "region"]


class DutyRateInline(admin.TabularInline):
    model = DutyRate
    extra = 0


@admin.register(CustomsRegime)
class CustomsRegimeAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "currency",
        "duty_free_up_to",
        "tax_collection",
        "tax_at_sale_up_to",
        "valid_from",
        "valid_until",
    ]
    inlines = [DutyRateInline]


@admin.register(ExchangeRate)
class ExchangeRateAdmin(admin.ModelAdmin):
    list_display = ["base", "quote", "rate", "as_of", "source"]
    list_filter = ["base", "quote"]
    date_hierarchy = "as_of"


# --- Orders -----------------------------------------------------------------------------------


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    extra = 0
    can_delete = False
    fields = [
        "sku",
        "product_title",
        "merchant",
        "quantity",
        "unit_price",
        "line_total",
        "duty",
        "tax",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        lines = super().get_queryset(request)
        if request.user.is_superuser:
            return lines
        return lines.filter(merchant=request_merchant(request))

    def has_add_permission(self, request, obj=None):
        return False


class PaymentInline(admin.TabularInline):
    model = Payment
    extra = 0
    can_delete = False
    fields = [
        "provider",
        "status",
        "amount",
        "captured_amount",
        "refunded_amount",
        "expires_at",
        "card_brand",
        "card_last4",
        "card_bin_country",
    ]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class OrderEventInline(admin.TabularInline):
    model = OrderEvent
    extra = 0
    can_delete = False
    fields = ["created_at", "kind", "from_status", "to_status", "actor_label", "reason"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    """Merchants see orders holding their products, and only their lines; payments and money
    actions (capture a held order, cancel, refund) are for ops."""

    list_display = ["number", "status", "market", "currency", "due_at_sale", "created_at"]
    list_filter = ["status", "market"]
    search_fields = ["number"]
    date_hierarchy = "created_at"
    readonly_fields = [field.name for field in Order._meta.fields]
    actions = ["capture_held", "cancel_orders", "refund_orders"]

    def get_queryset(self, request):
        orders = super().get_queryset(request)
        if request.user.is_superuser:
            return orders
        return orders.filter(lines__merchant=request_merchant(request)).distinct()

    def get_inlines(self, request, obj):
        if request.user.is_superuser:
            return [OrderLineInline, PaymentInline, OrderEventInline]
        return [OrderLineInline]

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if request.user.is_superuser:
            return fields
        # A merchant sees where to ship, not the other merchants' money.
        return ["number", "status", "created_at", "shipping_address", "currency"]

    def get_actions(self, request):
        return super().get_actions(request) if request.user.is_superuser else {}

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def _apply(self, request, queryset, action, done: str) -> None:
        succeeded = 0
        for order in queryset:
            try:
                action(order=order, actor=request.user, reason=f"{done} in the admin")
                succeeded += 1
            except StorefrontError as error:
                self.message_user(request, f"{order.number}: {error.message}", messages.ERROR)
        self.message_user(request, f"{done}: {succeeded} orders.")

    @admin.action(description="Capture held orders (approve)")
    def capture_held(self, request, queryset):
        self._apply(request, queryset, order_services.order_capture, "Captured")

    @admin.action(description="Cancel orders (void or refund, release stock)")
    def cancel_orders(self, request, queryset):
        self._apply(request, queryset, order_services.order_cancel, "Cancelled")

    @admin.action(description="Refund orders in full")
    def refund_orders(self, request, queryset):
        self._apply(request, queryset, order_services.order_refund, "Refunded")
