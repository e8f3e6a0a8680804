"""Optimistic locking: an edit carries the version it was loaded at (Wagtail's approach)."""

from __future__ import annotations

from django.db import models
from django.db.models import F
from django.utils.translation import gettext_lazy as _

STALE_MESSAGE = _(
    "Kamēr jūs labojāt, kāds cits šo ierakstu jau saglabāja. Jūsu izmaiņas nav saglabātas: "
    "atveriet ierakstu no jauna, lai redzētu jaunāko versiju."
)


class Versioned(models.Model):
    """A row people edit: each save through a service moves it to its next version."""

    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        abstract = True


class ConflictError(Exception):
    """Someone else saved the object after this form was loaded."""


def claim_version(instance: Versioned, loaded_version: int | None) -> None:
    """Move the row to its next version, or refuse if it changed since it was loaded.

    One conditional UPDATE: on PostgreSQL the row lock makes a concurrent second editor
    wait and then match nothing, so exactly one of two simultaneous saves wins.
    Call inside the transaction that then saves the instance.
    """
    updated = (
        type(instance)
        .objects.filter(pk=instance.pk, version=loaded_version)
        .update(version=F("version") + 1)
    )
    if not updated:
        raise ConflictError(STALE_MESSAGE)
    instance.version = (loaded_version or 0) + 1
