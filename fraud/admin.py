"""The risk screens: the review queue of held orders, rules, and the audit log. Merchant staff
see orders holding their products (and decide those holding theirs alone) and keep their own
rules; ops (superusers) see everything and keep the store's settings, lists and labels."""

from django import forms
from django.contrib import admin, messages
from django.db.models import BooleanField, Exists, F, OuterRef, QuerySet, Subquery, Value
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from catalog.admin import (
    MerchantScopedMixin,
    ReadOnlyMixin,
    ServiceValidatedForm,
    as_form_error,
    request_merchant,
)
from fraud.models import (
    FraudReport,
    MarketRiskSetting,
    ReviewDecision,
    ReviewQueueOrder,
    RiskAssessment,
    RiskListEntry,
    RiskRule,
)
from fraud.services import fraud_report_add, review_decide, risk_list_add, risk_rule_validate
from storefront.admin import OrderLineInline
from storefront.errors import InvalidInput, StorefrontError
from storefront.models import Order, OrderLine, Payment
from storefront.money import money_quantize
from storefront.services.orders import AUTHORIZATION_WARNING

TOP_REASONS = 3
EARLIER_DECISIONS = 10


def orders_of_request(request, queryset: QuerySet, order_lookup: str = "pk") -> QuerySet:
    """`queryset` limited to rows whose order (at `order_lookup`) holds the requesting
    merchant's products; everything for ops."""
    if request.user.is_superuser:
        return queryset
    merchant = request_merchant(request)
    if merchant is None:
        return queryset.none()
    holding = OrderLine.objects.filter(merchant=merchant).values("order")
    return queryset.filter(**{f"{order_lookup}__in": holding})


class OrderScopedMixin:
    """Limits an admin to orders holding the request's merchant's products."""

    order_lookup = "order"

    def get_queryset(self, request):
        return orders_of_request(request, super().get_queryset(request), self.order_lookup)


class OpsOnlyMixin:
    """Store-wide settings and labels: hidden from merchant staff."""

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


def _assessment(order: Order) -> RiskAssessment | None:
    # The reverse one-to-one raises an AttributeError subclass when there is none.
    return getattr(order, "risk_assessment", None)


def _reason_messages(assessment: RiskAssessment | None, limit: int | None = None) -> str:
    reasons = (assessment.reasons if assessment else [])[:limit]
    return format_html_join(
        "",
        "<div>{}</div>",
        ((reason.get("message") or reason.get("code", ""),) for reason in reasons),
    )


# --- The review queue -------------------------------------------------------------------------


@admin.register(ReviewQueueOrder)
class ReviewQueueOrderAdmin(OrderScopedMixin, admin.ModelAdmin):
    """Orders on hold, riskiest first: approve (capture) or cancel (release) them. Merchant staff
    see held orders holding their products and decide those holding theirs alone; an order
    shared with other merchants is decided by ops, and its money is not shown to merchants."""

    order_lookup = "pk"
    list_display = [
        "number",
        "score",
        "top_reasons",
        "amount",
        "market",
        "authorization_expires",
        "created_at",
    ]
    list_filter = ["market"]
    search_fields = ["number"]
    list_select_related = ["market", "risk_assessment"]
    # Orders scored by rules alone (no model) have no score: after the scored ones, oldest first.
    ordering = [F("risk_assessment__score").desc(nulls_last=True), "created_at"]
    actions = ["approve", "cancel_fraud", "cancel_not_fraud"]
    inlines = [OrderLineInline]
    _ORDER_FIELDS = [
        "number",
        "status",
        "created_at",
        "market",
        "currency",
        "amount",
        "authorization_expires",
        "email",
        "billing_country",
        "ip_country",
        "client_ip",
        "device_id",
        "shipping_address",
    ]
    # What OrderAdmin shows merchants: where to ship, not the other merchants' money.
    _MERCHANT_SHARED_FIELDS = ["number", "status", "created_at", "market", "shipping_address"]
    _ASSESSMENT_FIELDS = ["score", "decision", "decided_by", "rule", "reasons", "provenance"]
    readonly_fields = [*_ORDER_FIELDS, *_ASSESSMENT_FIELDS, "earlier_decisions"]

    def get_queryset(self, request):
        orders = super().get_queryset(request).filter(status=Order.Status.ON_HOLD)
        authorization = Payment.objects.filter(
            order=OuterRef("pk"), status=Payment.Status.AUTHORIZED
        ).order_by("-id")
        orders = orders.annotate(
            authorization_expires_at=Subquery(authorization.values("expires_at")[:1])
        )
        merchant = request_merchant(request)
        if request.user.is_superuser or merchant is None:
            return orders.annotate(shared=Value(False, output_field=BooleanField()))
        others = OrderLine.objects.filter(order=OuterRef("pk")).exclude(merchant=merchant)
        return orders.annotate(shared=Exists(others))

    def get_object(self, request, object_id, from_field=None):
        order = super().get_object(request, object_id, from_field)
        if order is not None:
            # A held order has no decision yet: what matters is how this shopper's earlier
            # orders were decided (those the request may see).
            decisions = ReviewDecision.objects.filter(order__email=order.email)
            visible = orders_of_request(request, decisions, "order")
            order.earlier = visible.select_related("order", "actor")[:EARLIER_DECISIONS]
        return order

    def get_fieldsets(self, request, obj=None):
        shared = obj is not None and obj.shared
        return [
            ("Order", {"fields": self._MERCHANT_SHARED_FIELDS if shared else self._ORDER_FIELDS}),
            ("Risk assessment", {"fields": self._ASSESSMENT_FIELDS}),
            ("Review history of this shopper", {"fields": ["earlier_decisions"]}),
        ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        # Deciding (the actions) takes the change permission; an order is never edited here.
        return obj is None and super().has_change_permission(request)

    # Columns and fields

    @admin.display(description="Score", ordering="risk_assessment__score")
    def score(self, order: Order):
        assessment = _assessment(order)
        return assessment.score if assessment else None

    @admin.display(description="Top reasons")
    def top_reasons(self, order: Order) -> str:
        return _reason_messages(_assessment(order), TOP_REASONS)

    @admin.display(description="Reasons")
    def reasons(self, order: Order) -> str:
        return _reason_messages(_assessment(order))

    @admin.display(description="Amount", ordering="due_at_sale")
    def amount(self, order: Order) -> str:
        if order.shared:
            return "shared with other merchants"
        return f"{money_quantize(order.due_at_sale, order.currency)} {order.currency}"

    @admin.display(description="Authorization expires", ordering="authorization_expires_at")
    def authorization_expires(self, order: Order) -> str:
        expires_at = order.authorization_expires_at
        if expires_at is None:
            return "no authorization"
        shown = timezone.localtime(expires_at).strftime("%Y-%m-%d %H:%M")
        now = timezone.now()
        if expires_at <= now:
            warning = "expired: it can no longer be captured"
        elif expires_at - now <= AUTHORIZATION_WARNING:
            warning = "expires soon: decide now"
        else:
            return shown
        return format_html('<strong style="color:#ba2121">{} ({})</strong>', shown, warning)

    @admin.display(description="Decision")
    def decision(self, order: Order) -> str:
        assessment = _assessment(order)
        return assessment.get_decision_display() if assessment else "not scored"

    @admin.display(description="Decided by")
    def decided_by(self, order: Order) -> str:
        assessment = _assessment(order)
        return assessment.decided_by if assessment else ""

    @admin.display(description="Rule")
    def rule(self, order: Order) -> str:
        assessment = _assessment(order)
        return str(assessment.rule) if assessment and assessment.rule else ""

    @admin.display(description="Provenance")
    def provenance(self, order: Order):
        assessment = _assessment(order)
        return assessment.provenance if assessment else ""

    @admin.display(description="Earlier decisions")
    def earlier_decisions(self, order: Order) -> str:
        rows = [
            (
                timezone.localtime(decision.created_at).strftime("%Y-%m-%d"),
                decision.order.number,
                decision.get_outcome_display(),
                decision.actor or "",
                decision.note,
            )
            for decision in order.earlier
        ]
        if not rows:
            return "none"
        return format_html_join("", "<div>{}: {} {} by {}. {}</div>", rows)

    # Actions

    def _decide(self, request, queryset, outcome: ReviewDecision.Outcome) -> None:
        merchant = None if request.user.is_superuser else request_merchant(request)
        decided = 0
        for order in queryset:
            try:
                review_decide(order=order, outcome=outcome, actor=request.user, merchant=merchant)
                decided += 1
            except StorefrontError as error:
                self.message_user(request, f"{order.number}: {error.message}", messages.ERROR)
        self.message_user(request, f"{outcome.label}: {decided} orders.")

    @admin.action(description="Approve (capture)", permissions=["change"])
    def approve(self, request, queryset):
        self._decide(request, queryset, ReviewDecision.Outcome.APPROVED)

    @admin.action(description="Cancel as fraud (release)", permissions=["change"])
    def cancel_fraud(self, request, queryset):
        self._decide(request, queryset, ReviewDecision.Outcome.CANCELLED_FRAUD)

    @admin.action(description="Cancel, not fraud (release)", permissions=["change"])
    def cancel_not_fraud(self, request, queryset):
        self._decide(request, queryset, ReviewDecision.Outcome.CANCELLED_OTHER)


# --- Rules ------------------------------------------------------------------------------------


class RiskRuleForm(ServiceValidatedForm):
    class Meta:
        model = RiskRule
        fields = ["name", "merchant", "market", "conditions", "action", "is_active", "is_default"]

    def service_validate(self, rule: RiskRule) -> None:
        risk_rule_validate(rule=rule)


@admin.register(RiskRule)
class RiskRuleAdmin(MerchantScopedMixin, admin.ModelAdmin):
    """Merchants keep their own rules; ops keep every rule, store-wide ones included."""

    form = RiskRuleForm
    list_display = ["name", "action", "market", "merchant", "is_active", "is_default"]
    list_filter = ["action", "is_active", "is_default", "market", "merchant"]
    search_fields = ["name"]
    list_select_related = ["market", "merchant"]
    readonly_fields = ["created_by", "created_at", "updated_at"]

    def get_list_display(self, request):
        columns = super().get_list_display(request)
        if request.user.is_superuser:
            return columns
        return [column for column in columns if column != "merchant"]

    def get_exclude(self, request, obj=None):
        exclude = super().get_exclude(request, obj)
        # The default rules are the store's baseline, kept by ops.
        return exclude if request.user.is_superuser else [*exclude, "is_default"]

    def has_add_permission(self, request):
        # Staff who belong to no merchant would otherwise add store-wide rules.
        return super().has_add_permission(request) and (
            request.user.is_superuser or request_merchant(request) is not None
        )

    def save_model(self, request, obj, form, change):
        if not request.user.is_superuser:
            obj.merchant = request_merchant(request)
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


# --- Ops only ---------------------------------------------------------------------------------


class MarketRiskSettingForm(forms.ModelForm):
    class Meta:
        model = MarketRiskSetting
        fields = ["market", "review_score", "block_score"]

    def clean(self):
        cleaned = super().clean()
        for name in ("review_score", "block_score"):
            if (cleaned.get(name) or 0) > 100:
                self.add_error(name, "A score is 0 to 100.")
        review, block = cleaned.get("review_score"), cleaned.get("block_score")
        if review is not None and block is not None and review >= block:
            self.add_error("block_score", "Block above the review score.")
        return cleaned


@admin.register(MarketRiskSetting)
class MarketRiskSettingAdmin(OpsOnlyMixin, admin.ModelAdmin):
    form = MarketRiskSettingForm
    list_display = ["market", "review_score", "block_score"]
    list_select_related = ["market"]


class RiskListEntryForm(forms.ModelForm):
    """`risk_list_add` normalizes (a domain in lower case, an address as its key) and validates
    as it writes, with no check of its own to call first: the form adds the entry as it
    validates. The admin's add view is one transaction, and save_model has nothing left to do."""

    class Meta:
        model = RiskListEntry
        fields = ["kind", "value", "label"]
        help_texts = {
            "value": 'A domain (mailinator.com), or an address as "line 1 | postal code | '
            'country code".'
        }

    def _post_clean(self):
        if self.errors:
            return
        data = self.cleaned_data
        try:
            self.instance = risk_list_add(
                kind=data["kind"], value=data["value"], label=data["label"]
            )
        except InvalidInput as error:
            self._update_errors(as_form_error(error))


@admin.register(RiskListEntry)
class RiskListEntryAdmin(OpsOnlyMixin, admin.ModelAdmin):
    """Listed values are added or removed, never edited (an address is stored as its key)."""

    form = RiskListEntryForm
    list_display = ["kind", "label", "value", "created_at"]
    list_filter = ["kind"]
    search_fields = ["value", "label"]

    def has_change_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        """Added by the form already."""


@admin.register(FraudReport)
class FraudReportAdmin(OpsOnlyMixin, admin.ModelAdmin):
    """Labels from outside the queue; added, never edited (a correction is a new report)."""

    list_display = ["order", "is_fraud", "source", "actor", "created_at"]
    list_filter = ["is_fraud", "source"]
    search_fields = ["order__number"]
    list_select_related = ["order", "actor"]
    fields = ["order", "is_fraud", "source", "note"]
    raw_id_fields = ["order"]

    def has_change_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        obj.pk = fraud_report_add(
            order=obj.order,
            is_fraud=obj.is_fraud,
            source=obj.source,
            actor=request.user,
            note=obj.note,
        ).pk
        obj.refresh_from_db()


# --- The log, read-only -----------------------------------------------------------------------


@admin.register(RiskAssessment)
class RiskAssessmentAdmin(OrderScopedMixin, ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["order", "score", "decision", "decided_by", "created_at"]
    list_filter = ["decision", "decided_by"]
    search_fields = ["order__number"]
    list_select_related = ["order"]


@admin.register(ReviewDecision)
class ReviewDecisionAdmin(OrderScopedMixin, ReadOnlyMixin, admin.ModelAdmin):
    """Who decided which held order, when, and how: the review queue's audit log."""

    list_display = ["order", "outcome", "actor", "score", "created_at"]
    list_filter = ["outcome"]
    search_fields = ["order__number"]
    list_select_related = ["order", "actor"]
