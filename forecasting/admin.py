"""The forecast screens. Merchant staff see their own SKUs' forecasts: a list with each SKU's
cover, stockout date and probability and reorder suggestion (filterable to those at risk of
running out within their lead time, soonest first; exportable as CSV), and a page per SKU with
a chart drawn on the server (no JavaScript). Ops see every merchant's, and the runs."""

import csv
from datetime import date, timedelta

import numpy as np
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.db.models import Case, Exists, IntegerField, OuterRef, Value, When
from django.http import HttpResponse

from catalog.admin import MerchantScopedMixin, ReadOnlyMixin
from forecasting import selectors
from forecasting.models import ForecastedSku, ForecastRun, SkuForecast
from forecasting.selectors import SkuDetail, span_demand

AT_RISK = "lead_time"
CSV_HEADER = ("sku", "market", "date", "p10", "p50", "p90", "source")


class StockoutRiskFilter(admin.SimpleListFilter):
    """SKUs whose median demand empties the stock before an order placed today would arrive,
    the soonest stockout first."""

    title = "stockout risk"
    parameter_name = "risk"

    def lookups(self, request, model_admin):
        return [(AT_RISK, "Stockout within lead time")]

    def queryset(self, request, queryset):
        if self.value() != AT_RISK:
            return queryset
        at_risk = selectors.skus_at_risk(variants=queryset)
        soonest_first = Case(
            *(
                When(pk=variant_id, then=Value(rank))
                for rank, (variant_id, _) in enumerate(at_risk)
            ),
            default=Value(len(at_risk)),
            output_field=IntegerField(),
        )
        return queryset.filter(pk__in=[variant_id for variant_id, _ in at_risk]).order_by(
            soonest_first, "sku"
        )


@admin.register(ForecastedSku)
class ForecastedSkuAdmin(ReadOnlyMixin, MerchantScopedMixin, admin.ModelAdmin):
    change_form_template = "admin/forecasting/forecastedsku/change_form.html"
    list_display = [
        "sku",
        "product",
        "on_hand",
        "supplier_lead_time_days",
        "days_of_cover",
        "stockout_date",
        "stockout_probability",
        "reorder_quantity",
        "source",
    ]
    list_filter = [StockoutRiskFilter, "merchant"]
    search_fields = ["sku", "product__title"]
    list_select_related = ["product"]
    fields = ["sku", "product", "stock_on_hand", "quantity_allocated", "supplier_lead_time_days"]
    actions = ["export_csv"]

    def get_queryset(self, request):
        forecast = SkuForecast.objects.filter(variant=OuterRef("pk"))
        return super().get_queryset(request).filter(Exists(forecast)).order_by("sku")

    def get_changelist_instance(self, request):
        """The page's SKUs with their outlooks, computed together for the columns."""
        changelist = super().get_changelist_instance(request)
        page = list(changelist.result_list)
        outlooks = selectors.sku_outlooks(variants=page)
        for variant in page:
            variant.outlook = outlooks.get(variant.pk)
        return changelist

    def change_view(self, request, object_id, form_url="", extra_context=None):
        variant = self.get_object(request, unquote(object_id))
        if variant is not None:
            detail = selectors.sku_detail(variant=variant)
            extra_context = {
                "detail": detail,
                "outlook": detail.outlook,
                "chart": forecast_chart(detail),
                "market_forecasts": [
                    (forecast, sum(forecast.p50)) for forecast in detail.forecasts
                ],
                **(extra_context or {}),
            }
        return super().change_view(request, object_id, form_url, extra_context)

    # Columns

    @admin.display(description="on hand")
    def on_hand(self, variant) -> int:
        return selectors.on_hand(variant)

    @admin.display(description="days of cover")
    def days_of_cover(self, variant) -> str:
        if variant.outlook is None:
            return "-"
        estimate = variant.outlook.estimate
        return f"{estimate.days_of_cover}+" if estimate.covers_horizon else estimate.days_of_cover

    @admin.display(description="stockout date")
    def stockout_date(self, variant) -> str:
        stockout = variant.outlook.stockout_date if variant.outlook else None
        return stockout.isoformat() if stockout else "-"

    @admin.display(description="stockout probability in lead time")
    def stockout_probability(self, variant) -> str:
        if variant.outlook is None:
            return "-"
        return f"{variant.outlook.estimate.stockout_probability:.0%}"

    @admin.display(description="reorder")
    def reorder_quantity(self, variant) -> int | str:
        return variant.outlook.estimate.reorder_quantity if variant.outlook else "-"

    @admin.display(description="forecast by")
    def source(self, variant) -> str:
        return ", ".join(variant.outlook.sources) if variant.outlook else "-"

    @admin.action(description="Export CSV of the forecasts", permissions=["view"])
    def export_csv(self, request, queryset):
        response = HttpResponse(content_type="text/csv")
        response["Content-Disposition"] = 'attachment; filename="forecasts.csv"'
        writer = csv.writer(response)
        writer.writerow(CSV_HEADER)
        writer.writerows(selectors.forecast_csv_rows(variant_ids=queryset.values("pk")))
        return response


@admin.register(ForecastRun)
class ForecastRunAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """The nightly runs: for ops only."""

    list_display = [
        "started_at",
        "status",
        "history_end",
        "series_count",
        "chunks",
        "chunks_finished",
        "worker_count",
        "seconds",
        "served_by",
    ]
    list_filter = ["status"]
    readonly_fields = [field.name for field in ForecastRun._meta.fields]

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    @admin.display(description="chunks done / failed")
    def chunks_finished(self, run: ForecastRun) -> str:
        return f"{len(run.chunks_done)} / {len(run.chunks_failed)}"

    @admin.display(description="served by")
    def served_by(self, run: ForecastRun) -> str:
        version = run.provenance.get("model_version")
        return run.provenance.get("source", "") + (f" v{version}" if version else "")


# --- The chart --------------------------------------------------------------------------------

WIDTH, LEFT, RIGHT = 760, 52, 744
DAILY_TOP, DAILY_HEIGHT = 20, 200
STOCK_TOP, STOCK_HEIGHT = 270, 150
HEIGHT = STOCK_TOP + STOCK_HEIGHT + 30


def forecast_chart(detail: SkuDetail) -> dict:
    """Coordinates of the SKU's chart, two panels. Above, daily demand summed over markets: the
    last RECENT_DAYS days sold, then the forecast's P50 and its P10-P90 band (the markets'
    quantiles added up). Below, over the forecast's days, cumulative demand from today (P50 and
    the 80 % band of the count distribution the stockout probability uses) against the stock on
    hand, a horizontal line it crosses on the stockout date."""
    history, outlook = detail.history_recent, detail.outlook
    history_first = detail.history_end - timedelta(days=len(history) - 1)
    ahead = 0 if outlook is None else len(outlook.demand)
    last = detail.history_end + timedelta(days=ahead)
    daily_top = max(float(np.nanmax(history, initial=0)), _max(outlook and outlook.p90), 1.0)
    daily = _Panel(DAILY_TOP, DAILY_HEIGHT, history_first, last, daily_top, "units a day")
    sold = ~np.isnan(history)  # days before the SKU's history began are not drawn
    history_days = [history_first + timedelta(days=offset) for offset in range(len(history))]
    chart = {
        "width": WIDTH,
        "height": HEIGHT,
        "daily": daily.frame(),
        "history": daily.points(np.array(history_days)[sold], history[sold]),
    }
    if outlook is None:
        return chart
    days = [outlook.first_date + timedelta(days=offset) for offset in range(ahead)]
    chart["today_x"] = daily.x(outlook.first_date)
    chart["p50"] = daily.points(days, outlook.demand.mean)
    chart["band"] = daily.band(days, outlook.p10, outlook.p90)

    cumulative = np.cumsum(outlook.demand.mean)
    low, high = _cumulative_band(cumulative, np.cumsum(outlook.demand.sigma**2))
    on_hand = outlook.estimate.on_hand
    stock_top = max(float(high.max()), on_hand, 1.0)
    stock = _Panel(STOCK_TOP, STOCK_HEIGHT, days[0], days[-1], stock_top, "cumulative units")
    chart["stock"] = stock.frame()
    chart["cumulative"] = stock.points(days, cumulative)
    chart["cumulative_band"] = stock.band(days, low, high)
    chart["on_hand"] = {"y": stock.y(on_hand), "label_y": stock.y(on_hand) - 4, "value": on_hand}
    if outlook.stockout_date is not None:
        chart["stockout_x"] = stock.x(outlook.stockout_date)
    return chart


class _Panel:
    """Days from `first` to `last` across the chart's width, 0 to `top` units up its height."""

    def __init__(self, y0: int, height: int, first: date, last: date, top: float, label: str):
        self.y0, self.height, self.top, self.label = y0, height, top, label
        self.first, self.last = first, last
        self.step = (RIGHT - LEFT) / max((last - first).days, 1)

    def x(self, day: date) -> float:
        return round(LEFT + (day - self.first).days * self.step, 1)

    def y(self, value: float) -> float:
        return round(self.y0 + self.height * (1 - value / self.top), 1)

    def points(self, days, values) -> str:
        return " ".join(f"{self.x(d)},{self.y(v)}" for d, v in zip(days, values, strict=True))

    def band(self, days, low, high) -> str:
        return f"{self.points(days, high)} {self.points(days[::-1], low[::-1])}"

    def frame(self) -> dict:
        bottom = self.y0 + self.height
        return {
            "left": LEFT,
            "right": RIGHT,
            "top": self.y0,
            "bottom": bottom,
            "title_y": self.y0 - 6,
            "top_label_y": self.y0 + 4,
            "date_y": bottom + 14,
            "tick_x": LEFT - 4,
            "maximum": round(self.top, 1),
            "label": self.label,
            "first": self.first,
            "last": self.last,
        }


def _cumulative_band(means: np.ndarray, variances: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """P10 and P90 of the demand from today to each day, as `stockout_estimate` models it."""
    bands = [
        span_demand(mean, variance).ppf([0.1, 0.9]) if mean > 0 else (0.0, 0.0)
        for mean, variance in zip(means, variances, strict=True)
    ]
    low, high = np.asarray(bands, dtype=float).reshape(len(means), 2).T
    return low, high


def _max(values) -> float:
    return 0.0 if values is None or len(values) == 0 else float(np.max(values))
