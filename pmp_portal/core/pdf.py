"""PDF documents with WeasyPrint that can read nothing but the project's own static files.

Text from the database ends up in these documents; whatever it says, WeasyPrint must not
open a local file or a URL because of it. The fetcher below answers only ``/static/…``
addresses (and the same under the internal base URL) from the static-files finders, and
refuses everything else — ``file:``, ``http(s):``, ``data:`` included.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

# Documents are rendered against this base: relative and /static/ links resolve under it.
BASE_URL = "https://pmp.invalid/"


class RefusedURL(ValueError):
    """WeasyPrint was asked for something outside the project's static files."""


def _static_path(url: str) -> Path:
    parts = urlsplit(url)
    if f"{parts.scheme}://{parts.netloc}/" != BASE_URL:
        raise RefusedURL(url)
    prefix = "/" + settings.STATIC_URL.strip("/") + "/"
    path = unquote(parts.path)
    if not path.startswith(prefix) or ".." in Path(path).parts:
        raise RefusedURL(url)
    found = finders.find(path[len(prefix) :])
    if not found:
        raise RefusedURL(url)
    return Path(found)


def fetch_static(url: str, headers=None):
    """The URL fetcher: static files only; anything else is an error WeasyPrint reports."""
    from weasyprint.urls import URLFetcherResponse

    path = _static_path(url)
    mime, _ = mimetypes.guess_type(path.name)
    return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": mime or ""})


def static_only_fetcher():
    """WeasyPrint's URLFetcher with its network and file handlers replaced by ours."""
    from weasyprint.urls import URLFetcher

    class StaticOnlyFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            return fetch_static(url, headers)

    return StaticOnlyFetcher(allowed_protocols=("https",), allow_redirects=False)


def render_pdf(template: str, context: dict) -> bytes:
    from weasyprint import HTML

    html = render_to_string(template, context)
    return HTML(string=html, base_url=BASE_URL, url_fetcher=static_only_fetcher()).write_pdf()
