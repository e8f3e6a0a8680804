from django import template

register = template.Library()

# Keys the plan page already shows in its own columns.
SHOWN = {"note", "table", "deadline_text", "level", "goal_title"}


@register.filter
def extra_items(extra: dict) -> list[tuple[str, object]]:
    """What a plan row has beyond the template: kept from the import, shown as it is."""
    return [
        (key, value)
        for key, value in (extra or {}).items()
        if not key.startswith("_") and key not in SHOWN and value not in (None, "", [], {})
    ]
