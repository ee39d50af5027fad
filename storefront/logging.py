"""Structured logging: a request id on every record, personal data masked, JSON lines.

The request id lives in a context variable, set by `RequestIdMiddleware` for a request and by the
Celery signals in `storefront.celery` for a task, so every log line of one request or task can be
found together without logging who the shopper is. A record factory stamps it on every record when
the record is made, so that every handler sees it, whichever runs first.
"""

import contextvars
import json
import logging
import re
from datetime import UTC, datetime

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# 13 to 19 digits, optionally grouped by spaces or dashes: payment card numbers.
_CARD_NUMBER = re.compile(r"\b(?:\d[ -]?){12,18}\d\b")
_IPV4 = re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}\b")
_IPV6 = re.compile(r"\b(?:[0-9a-fA-F]{1,4}:){2,7}[0-9a-fA-F]{1,4}\b")
_REDACTIONS = (
    (_EMAIL, "[email]"),
    (_CARD_NUMBER, "[card]"),
    (_IPV4, "[ip]"),
    (_IPV6, "[ip]"),
)

# Attributes every LogRecord has; anything else on a record came from `extra=` and is logged.
_STANDARD_ATTRIBUTES = frozenset(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {
    "message",
    "asctime",
    "request_id",
}


def request_id_get() -> str:
    return _request_id.get()


def request_id_set(request_id: str) -> contextvars.Token:
    return _request_id.set(request_id)


def request_id_reset(token: contextvars.Token) -> None:
    _request_id.reset(token)


def personal_data_redact(text: str) -> str:
    for pattern, replacement in _REDACTIONS:
        text = pattern.sub(replacement, text)
    return text


class RedactPersonalDataFilter(logging.Filter):
    """Masks emails, card numbers and IP addresses in the message and in `extra` strings."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = personal_data_redact(record.getMessage())
        record.args = ()
        for key, value in list(record.__dict__.items()):
            if key not in _STANDARD_ATTRIBUTES and isinstance(value, str):
                setattr(record, key, personal_data_redact(value))
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", "-"),
            "message": record.getMessage(),
        }
        entry.update(
            (key, value)
            for key, value in record.__dict__.items()
            if key not in _STANDARD_ATTRIBUTES
        )
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


def _stamp_request_id(factory):
    def make_record(*args, **kwargs) -> logging.LogRecord:
        record = factory(*args, **kwargs)
        record.request_id = _request_id.get()
        return record

    make_record.stamps_request_id = True
    return make_record


if not getattr(logging.getLogRecordFactory(), "stamps_request_id", False):
    logging.setLogRecordFactory(_stamp_request_id(logging.getLogRecordFactory()))
