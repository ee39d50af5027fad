"""The one exception hierarchy of the project.

Services raise these; the API's exception handler turns each into `{code, message, details}`
with its HTTP status, and the admin shows the message. `details` maps field names to lists of
messages (or holds other structured context).
"""

from typing import Any


class StorefrontError(Exception):
    status_code = 400
    code = "error"
    default_message = "The request could not be completed."

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        self.message = message or self.default_message
        self.code = code or self.code
        self.details = details or {}
        super().__init__(self.message)

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "details": self.details}


class InvalidInput(StorefrontError):
    status_code = 400
    code = "invalid"
    default_message = "The input is invalid."


class NotFound(StorefrontError):
    status_code = 404
    code = "not_found"
    default_message = "Not found."


class PermissionDenied(StorefrontError):
    status_code = 403
    code = "permission_denied"
    default_message = "You do not have permission to do this."


class Conflict(StorefrontError):
    status_code = 409
    code = "conflict"
    default_message = "The request conflicts with the current state."


class ServiceUnavailable(StorefrontError):
    status_code = 503
    code = "unavailable"
    default_message = "A service this request needs is unavailable."
