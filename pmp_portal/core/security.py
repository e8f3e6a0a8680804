"""Who is knocking: the client address and the username that login throttling counts."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """REMOTE_ADDR, or behind ``TRUSTED_PROXY_COUNT`` proxies the address they saw.

    Only the proxies' own entries of X-Forwarded-For are trusted: a client can put anything
    at the front of that header, so the address is read from the right.
    """
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [p for p in forwarded if p]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def login_username(request: HttpRequest, credentials: dict | None = None) -> str:
    """Count "Direktors@X" and "direktors@x" as one account, as the login form does."""
    source = credentials if credentials is not None else request.POST
    return str((source or {}).get("username", "")).strip().lower()
