"""Ops screens of the ML platform: the registry with promote and rollback, the training runs with
their progress, and a form that retrains now. Platform-wide, not merchant data: only users with
the ml_models permissions (ops) see them. Every action goes through `services`, the same path as
the management commands."""

import logging

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from ml_models.capabilities import capabilities_all
from ml_models.models import ModelVersion, TrainingRun
from ml_models.services import (
    model_version_promote,
    model_version_rollback,
    training_runs_enqueue,
)
from storefront.errors import StorefrontError

logger = logging.getLogger(__name__)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows are written by the platform's services only."""

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]


@admin.register(ModelVersion)
class ModelVersionAdmin(ReadOnlyAdmin):
    list_display = (
        "capability",
        "version",
        "status",
        "primary_metric",
        "gate_decision",
        "device",
        "created_at",
        "activated_at",
    )
    list_filter = ("capability", "status")
    actions = ("promote", "promote_forced", "rollback", "retrain")

    @admin.display(description="primary metric")
    def primary_metric(self, version: ModelVersion) -> str:
        metric = version.gate.get("metric")
        if metric not in version.metrics:
            return "-"
        return f"{metric} {version.metrics[metric]:.4f}"

    @admin.display(description="gate")
    def gate_decision(self, version: ModelVersion) -> str:
        return version.gate.get("decision", "-")

    @admin.action(description="Promote the selected version (through the quality gate)")
    def promote(self, request, queryset):
        self._promote(request, queryset, force=False)

    @admin.action(description="Promote the selected version, overriding the quality gate")
    def promote_forced(self, request, queryset):
        self._promote(request, queryset, force=True)

    def _promote(self, request, queryset, *, force: bool) -> None:
        if queryset.count() != 1:
            self.message_user(request, "Select exactly one version to promote.", messages.ERROR)
            return
        version = queryset.get()
        self._service_call(
            request,
            lambda: model_version_promote(
                capability=version.capability,
                version=version.version,
                force=force,
                actor=request.user.get_username(),
            ),
            success="{0.capability} v{0.version} is active.",
        )

    @admin.action(description="Roll back the capabilities of the selected versions")
    def rollback(self, request, queryset):
        for capability in sorted(set(queryset.values_list("capability", flat=True))):
            self._service_call(
                request,
                lambda capability=capability: model_version_rollback(
                    capability=capability, actor=request.user.get_username()
                ),
                success="Rolled back: {0.capability} v{0.version} is active.",
            )

    @admin.action(description="Retrain the capabilities of the selected versions now")
    def retrain(self, request, queryset):
        for capability in sorted(set(queryset.values_list("capability", flat=True))):
            _retrain_enqueue(request, self, capability=capability, force=False)

    def _service_call(self, request, call, *, success: str) -> None:
        try:
            result = call()
        except StorefrontError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return
        self.message_user(request, success.format(result), messages.SUCCESS)


class RetrainForm(forms.Form):
    capability = forms.ChoiceField()
    force = forms.BooleanField(
        required=False, help_text="Promote the new version even if the quality gate rejects it."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        names = list(capabilities_all())
        self.fields["capability"].choices = [(name, name) for name in ["all", *names]]


@admin.register(TrainingRun)
class TrainingRunAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "capability",
        "status",
        "progress_bar",
        "device",
        "requested_by",
        "queued_at",
        "heartbeat_at",
        "version_link",
    )
    list_filter = ("capability", "status")
    change_list_template = "admin/ml_models/trainingrun/change_list.html"

    @admin.display(description="progress")
    def progress_bar(self, run: TrainingRun) -> str:
        return format_html(
            '<progress max="100" value="{0}"></progress> {0}%', round(run.progress * 100)
        )

    @admin.display(description="version")
    def version_link(self, run: TrainingRun) -> str:
        if run.model_version is None:
            return "-"
        url = reverse("admin:ml_models_modelversion_change", args=[run.model_version_id])
        return format_html('<a href="{}">v{}</a>', url, run.model_version.version)

    def get_urls(self):
        return [
            path(
                "retrain/",
                self.admin_site.admin_view(self.retrain_view),
                name="ml_models_trainingrun_retrain",
            ),
            *super().get_urls(),
        ]

    def retrain_view(self, request):
        if not self.has_change_permission(request):
            raise PermissionDenied  # admin_view requires staff; retraining needs ML rights
        form = RetrainForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            _retrain_enqueue(request, self, **form.cleaned_data)
            return redirect("admin:ml_models_trainingrun_changelist")
        context = {
            **self.admin_site.each_context(request),
            "title": "Retrain now",
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/ml_models/trainingrun/retrain.html", context)


def _retrain_enqueue(request, model_admin, *, capability: str, force: bool) -> None:
    try:
        runs = training_runs_enqueue(
            capability=capability, force=force, requested_by=request.user.get_username()
        )
    except Exception as exc:  # in-process tasks (no broker) train here and may fail here
        logger.exception("retraining %s from the admin failed", capability)
        model_admin.message_user(request, f"Retraining {capability} failed: {exc}", messages.ERROR)
        return
    names = ", ".join(f"{run.capability} (run {run.pk})" for run in runs) or "nothing registered"
    model_admin.message_user(request, f"Queued: {names}.", messages.SUCCESS)
