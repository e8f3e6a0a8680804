"""makemessages that also finds ``_lazy("…")``: the code imports gettext_lazy under that name
where ``_`` is already the eager gettext, and xgettext only knows the standard names."""

from django.core.management.commands.makemessages import Command as MakeMessagesCommand


class Command(MakeMessagesCommand):
    xgettext_options = [*MakeMessagesCommand.xgettext_options, "--keyword=_lazy"]
