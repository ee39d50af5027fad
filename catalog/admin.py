"""The merchant's back office. Staff of a merchant see and change only their merchant's rows:
lists, change pages, foreign-key choices and list filters are all scoped; ops (superusers) see
everything. Writes go through the catalog's services, so the admin keeps the same rules as the
API (SKU unique per merchant, prices in the currency's decimals, stale translations)."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.html import format_html

from catalog import selectors, services
from catalog.images import image_normalize
from catalog.models import (
    Category,
    CategoryContent,
    Merchant,
    MerchantMembership,
    Product,
    ProductContent,
    ProductImage,
    Variant,
)
from storefront.errors import InvalidInput
from storefront.money import money_quantize


def request_merchant(request) -> Merchant | None:
    if not hasattr(request, "_catalog_merchant"):
        request._catalog_merchant = selectors.merchant_for_user(user=request.user)
    return request._catalog_merchant


def as_form_error(error: InvalidInput) -> ValidationError:
    if error.details:
        return ValidationError({field: list(messages) for field, messages in error.details.items()})
    return ValidationError(error.message)


class MerchantScopedMixin:
    """Limits an admin to the request's merchant. `merchant_lookup` is the path from the model
    to its merchant; foreign keys to merchants and products offer only the merchant's own."""

    merchant_lookup = "merchant"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        merchant = request_merchant(request)
        if merchant is None:
            return queryset.none()
        return queryset.filter(**{self.merchant_lookup: merchant.pk})

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if not request.user.is_superuser:
            merchant = request_merchant(request)
            if db_field.related_model is Merchant:
                kwargs["queryset"] = Merchant.objects.filter(pk=getattr(merchant, "pk", None))
            elif db_field.related_model is Product:
                kwargs["queryset"] = Product.objects.filter(merchant=merchant)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_exclude(self, request, obj=None):
        exclude = list(super().get_exclude(request, obj) or [])
        if not request.user.is_superuser and self.merchant_lookup == "merchant":
            exclude.append("merchant")
        return exclude

    def get_list_filter(self, request):
        filters = list(super().get_list_filter(request))
        if not request.user.is_superuser:
            filters = [f for f in filters if f != self.merchant_lookup]
        return filters


# --- Forms that apply the services' rules ------------------------------------------------------


class ReadOnlyMixin:
    """An admin for rows only the services write: listed and viewed, never added, changed or
    deleted here."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ServiceValidatedForm(forms.ModelForm):
    """Runs the service's own checks after the model's, so that the admin refuses what the API
    refuses, with the same messages on the same fields."""

    def service_validate(self, instance) -> None:
        raise NotImplementedError

    def _post_clean(self):
        super()._post_clean()
        if self.errors:
            return
        try:
            self.service_validate(self.instance)
        except InvalidInput as error:
            self._update_errors(as_form_error(error))


class VariantForm(ServiceValidatedForm):
    class Meta:
        model = Variant
        fields = ["product", "sku", *services.VARIANT_EDITABLE_FIELDS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:  # 49.90 EUR, 1500 JPY: not the column's three decimals
            currency = self.instance.merchant.currency
            self.initial["price"] = money_quantize(self.instance.price, currency)

    def service_validate(self, variant: Variant) -> None:
        services.variant_validate(variant=variant)


_TRANSLATION_FIELDS = ["language", "description", "source", "engine", "model_version", "status"]


class ProductContentForm(ServiceValidatedForm):
    class Meta:
        model = ProductContent
        fields = ["title", *_TRANSLATION_FIELDS]

    def service_validate(self, content: ProductContent) -> None:
        services.product_content_validate(content=content)


class CategoryContentForm(ServiceValidatedForm):
    class Meta:
        model = CategoryContent
        fields = ["name", *_TRANSLATION_FIELDS]

    def service_validate(self, content: CategoryContent) -> None:
        services.category_content_validate(content=content)


class ProductImageForm(forms.ModelForm):
    """A new image is checked like an API upload; an existing one can be re-ordered or
    re-described but not replaced (upload a new one instead)."""

    image = forms.FileField(required=False)

    class Meta:
        model = ProductImage
        fields = ["image", "alt_text", "position"]

    def clean_image(self):
        upload = self.cleaned_data.get("image")
        if self.instance.pk:
            return self.instance.image
        if not upload:
            raise ValidationError("Choose an image to upload.")
        try:
            image_normalize(upload)
        except InvalidInput as error:
            raise ValidationError(error.message, code=error.code) from error
        upload.seek(0)
        return upload


# --- Inlines ----------------------------------------------------------------------------------


class VariantInlineFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        seen = set()
        for form in self.forms:
            sku = form.cleaned_data.get("sku") if form.cleaned_data else None
            if sku is None or form in self.deleted_forms:
                continue
            if sku in seen:
                form.add_error("sku", f"SKU {sku} appears twice.")
            seen.add(sku)


class VariantInline(admin.TabularInline):
    model = Variant
    form = VariantForm
    formset = VariantInlineFormSet
    extra = 0
    fields = ["sku", *(f for f in services.VARIANT_EDITABLE_FIELDS if f != "attributes")]


class ProductImageInline(admin.TabularInline):
    model = ProductImage
    form = ProductImageForm
    extra = 0
    fields = ["preview", "image", "alt_text", "position", "width", "height"]
    readonly_fields = ["preview", "width", "height"]

    @admin.display(description="Preview")
    def preview(self, image: ProductImage) -> str:
        if not image.pk:
            return ""
        return format_html('<img src="{}" style="max-height:80px">', image.thumbnail.url)


class TranslationInline(admin.StackedInline):
    extra = 0
    readonly_fields = ["is_stale", "updated_at"]


class ProductContentInline(TranslationInline):
    model = ProductContent
    form = ProductContentForm


@admin.register(Product)
class ProductAdmin(MerchantScopedMixin, admin.ModelAdmin):
    list_display = ["title", "merchant", "category", "brand", "status", "updated_at"]
    list_filter = ["status", "merchant", "category", "brand", "source_language"]
    search_fields = ["title", "brand", "variants__sku"]
    list_select_related = ["merchant", "category"]
    readonly_fields = ["created_at", "updated_at"]
    inlines = [VariantInline, ProductImageInline, ProductContentInline]
    actions = ["archive_selected"]

    def save_form(self, request, form, change):
        # Before the inlines are validated: their checks need the product's merchant.
        product = super().save_form(request, form, change)
        if not request.user.is_superuser:
            product.merchant = request_merchant(request)
        return product

    def save_model(self, request, obj, form, change):
        services.product_save(product=obj)

    def save_formset(self, request, form, formset, change):
        if formset.model is ProductImage:
            return self._save_images(formset)
        save = {
            Variant: lambda variant: services.variant_save(variant=variant),
            ProductContent: lambda content: services.product_content_save(content=content),
        }[formset.model]
        for instance in formset.save(commit=False):
            save(instance)
        for obj in formset.deleted_objects:
            obj.delete()

    def _save_images(self, formset):
        """Images go through the upload service; the formset's lists are filled as Django's own
        save would, for the change history."""
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for image_form in formset.forms:
            image, data = image_form.instance, image_form.cleaned_data
            if image_form in formset.deleted_forms and image.pk:
                services.product_image_delete(image=image)
                formset.deleted_objects.append(image)
            elif image.pk and image_form.has_changed():
                services.product_image_update(
                    image=image, alt_text=data["alt_text"], position=data["position"]
                )
                formset.changed_objects.append((image, image_form.changed_data))
            elif not image.pk and image_form.has_changed():
                formset.new_objects.append(
                    services.product_image_add(
                        product=formset.instance,
                        upload=data["image"],
                        alt_text=data["alt_text"],
                        position=data["position"],
                    )
                )

    @admin.action(description="Archive selected products")
    def archive_selected(self, request, queryset):
        for product in queryset:
            services.product_archive(product=product)
        self.message_user(request, f"Archived {queryset.count()} products.")


@admin.register(Variant)
class VariantAdmin(MerchantScopedMixin, admin.ModelAdmin):
    """The stock view across products: SKUs, prices and stock on hand."""

    form = VariantForm
    list_display = ["sku", "product", "name", "price", "stock_on_hand", "status"]
    list_filter = ["status", "merchant", "country_of_origin"]
    search_fields = ["sku", "name", "product__title"]
    list_select_related = ["product", "merchant"]
    list_editable = ["stock_on_hand"]
    autocomplete_fields = ["product"]

    def save_model(self, request, obj, form, change):
        services.variant_save(variant=obj)


@admin.register(Merchant)
class MerchantAdmin(MerchantScopedMixin, admin.ModelAdmin):
    merchant_lookup = "pk"
    list_display = ["name", "country", "currency", "default_language"]
    search_fields = ["name", "slug"]
    filter_horizontal = ["markets"]

    class MembershipInline(admin.TabularInline):
        model = MerchantMembership
        extra = 0
        autocomplete_fields = ["user"]

    inlines = [MembershipInline]

    def get_inlines(self, request, obj):
        # Who works for a merchant is decided by ops.
        return self.inlines if request.user.is_superuser else []

    def has_add_permission(self, request):
        return request.user.is_superuser

    def save_formset(self, request, form, formset, change):
        formset.save(commit=False)
        for membership in formset.deleted_objects:
            membership.delete()
        for membership in formset.new_objects + [obj for obj, _ in formset.changed_objects]:
            services.merchant_member_add(
                merchant=form.instance, user=membership.user, role=membership.role
            )


class CategoryContentInline(TranslationInline):
    model = CategoryContent
    form = CategoryContentForm


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    """The category tree is shared by every merchant and edited by ops."""

    list_display = ["name", "parent", "slug", "position"]
    list_filter = ["parent"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [CategoryContentInline]

    def save_model(self, request, obj, form, change):
        services.category_save(category=obj)

    def save_formset(self, request, form, formset, change):
        formset.save(commit=False)
        for obj in formset.deleted_objects:
            obj.delete()
        for content in formset.new_objects + [obj for obj, _ in formset.changed_objects]:
            services.category_content_save(content=content)
