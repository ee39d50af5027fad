"""One error format for the whole API: `{"code", "message", "details", "request_id"}`.

`details` maps a field name to its messages for validation errors (`non_field_errors` for the
object as a whole) and is `{}` when there is nothing more to say.
"""

import logging
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from storefront.errors import StorefrontError
from storefront.logging import request_id_get

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"


def error_body(*, code: str, message: str, details: dict[str, Any] | None = None) -> dict:
    return {
        "code": code,
        "message": message,
        "details": details or {},
        "request_id": request_id_get(),
    }


def _validation_details(detail: Any) -> dict[str, Any]:
    if isinstance(detail, dict):
        return detail
    return {"non_field_errors": detail if isinstance(detail, list) else [detail]}


def _as_api_exception(exc: Exception) -> Exception:
    if isinstance(exc, DjangoValidationError):
        return exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        )
    if isinstance(exc, Http404):
        return exceptions.NotFound()
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied()
    return exc


def api_exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, StorefrontError):
        return Response(
            error_body(code=exc.code, message=exc.message, details=exc.details),
            status=exc.status_code,
        )
    exc = _as_api_exception(exc)
    # DRF's handler sets headers such as Retry-After and WWW-Authenticate.
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # an unexpected error: Django's 500 handler below answers and logs it
    if isinstance(exc, exceptions.ValidationError):
        response.data = error_body(
            code="invalid",
            message="The input is invalid.",
            details=_validation_details(exc.detail),
        )
    else:
        response.data = error_body(
            code=getattr(exc.detail, "code", exc.default_code), message=str(exc.detail)
        )
    return response


def _is_api_request(request) -> bool:
    return request.path.startswith(API_PREFIX)


def api_not_found_view(request, *args, **kwargs):
    """The last route under /api/: an unknown endpoint answers in the API's error format."""
    return JsonResponse(
        error_body(code="not_found", message="No such endpoint."),
        status=status.HTTP_404_NOT_FOUND,
    )


def server_error_view(request):
    """500: JSON under /api/ (the traceback is already logged by Django), the page elsewhere."""
    if _is_api_request(request):
        return JsonResponse(
            error_body(code="server_error", message="Something went wrong on our side."),
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )
    return defaults.server_error(request)
