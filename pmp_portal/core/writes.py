"""How a service saves a row: checked against the model's rules, with its author on record."""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib.auth.models import AbstractBaseUser
from django.db import models


def validated_save[M: models.Model](
    instance: M, *, actor: AbstractBaseUser | None, exclude: Sequence[str] = ()
) -> M:
    """``full_clean()`` then ``save()``; the history row (django-simple-history) names
    ``actor``, or nobody for a command-line import. ``exclude``: fields not to validate."""
    instance._history_user = actor
    instance.full_clean(exclude=list(exclude) or None)
    instance.save()
    return instance
