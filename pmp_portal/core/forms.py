"""What a form view does when the service it calls refuses."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.forms import BaseForm

from .concurrency import ConflictError


@contextmanager
def errors_to_form(form: BaseForm) -> Iterator[None]:
    """Call the service inside. If it refuses (someone saved first, a rule is broken) nothing
    was written, the rest of the block is skipped and the reason is on the form: beside the
    field it names where the form has that field, above the form otherwise. The view then
    renders the form again."""
    try:
        yield
    except ConflictError as error:
        form.add_error(None, str(error))
    except ValidationError as error:
        if not hasattr(error, "error_dict"):
            form.add_error(None, error)
            return
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
