"""Small request/response helpers the apps' views share."""

from __future__ import annotations

from django.http import HttpResponse


def int_param(value: str | None) -> int | None:
    """An id or version from a query string or form, or None for anything else.

    ``isdecimal``, not ``isdigit``: "²" is a digit that ``int()`` refuses.
    """
    return int(value) if value and value.isascii() and value.isdecimal() else None


def attachment(content: bytes, content_type: str, filename: str) -> HttpResponse:
    """A download; ``filename`` must already be safe (ASCII, no quotes or path)."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
