import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from plans.exporter import plan_export
from plans.models import Plan


class Command(BaseCommand):
    help = "Eksportē plānu JSON formātā. / Exports a plan in the seeds' JSON format."

    def add_arguments(self, parser) -> None:
        parser.add_argument("slug")
        parser.add_argument("--format", choices=["json"], default="json")
        parser.add_argument("-o", "--output", type=Path)

    def handle(self, *args, slug: str, output: Path | None, **options) -> None:
        plan = Plan.objects.filter(municipality__slug=slug).first()
        if plan is None:
            raise CommandError(f"Plāns “{slug}” nav atrasts. / No plan for “{slug}”.")
        text = json.dumps(plan_export(plan), ensure_ascii=False, indent=2)
        if output is None:
            self.stdout.write(text)
        else:
            output.write_text(text + "\n", encoding="utf-8")
