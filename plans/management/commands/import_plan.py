from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from institutions.models import Municipality
from institutions.services import municipality_create
from plans.importer import PlanImportError, load_json, plan_import


class Command(BaseCommand):
    help = (
        "Importē plānu JSON formātā (kā fixtures/seeds/SCHEMA.md): viss vai nekas. / "
        "Imports a plan in the seeds' JSON format, all or nothing."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--municipality", required=True, help="pašvaldības saīsinājums")
        parser.add_argument("--create", action="store_true", help="izveidot pašvaldību, ja tās nav")
        parser.add_argument("--replace", action="store_true", help="aizstāt esošo plānu")

    def handle(self, *args, path: Path, municipality: str, create: bool, replace: bool, **o):
        try:
            raw = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Failu nevar nolasīt / cannot read the file: {error}") from None
        try:
            data = load_json(raw)
            with transaction.atomic():
                tenant = Municipality.objects.filter(slug=municipality).first()
                if tenant is None:
                    if not create:
                        raise CommandError(
                            f"Pašvaldība “{municipality}” nav atrasta (izmantojiet --create). / "
                            f"Municipality “{municipality}” not found (use --create)."
                        )
                    name = data.get("municipality") if isinstance(data, dict) else None
                    tenant = municipality_create(name=name or municipality, slug=municipality)
                # From the command line no person imports: history names no author.
                result = plan_import(actor=None, municipality=tenant, data=data, replace=replace)
        except ValidationError as error:
            raise CommandError(
                f"Pašvaldību nevar izveidot / cannot create the municipality: {error.messages}"
            ) from None
        except PlanImportError as error:
            for problem in error.problems:
                self.stderr.write(f"  {problem}")
            raise CommandError(
                f"Imports atcelts, nekas nav mainīts ({len(error.problems)} kļūdas). / "
                "Import cancelled, nothing changed."
            ) from None
        self.stdout.write(self.style.SUCCESS(f"Plāns importēts / plan imported: {tenant.name}"))
        for table, count in result.counts.items():
            self.stdout.write(f"  {table:<14} {count}")
        if result.warnings:
            self.stdout.write(f"Brīdinājumi / warnings ({len(result.warnings)}):")
            for warning in result.warnings:
                self.stdout.write(f"  {warning}")
