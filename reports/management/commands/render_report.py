from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from institutions.models import Municipality
from reports.annual import render_annual_pdf
from reports.models import AnnualReport


class Command(BaseCommand):
    help = (
        "Sagatavo ikgadējo uzraudzības pārskatu PDF formātā. / Renders the annual monitoring "
        "report as a PDF: the final version if there is one, else the latest draft (or a "
        "blank draft, not saved)."
    )

    def add_arguments(self, parser):
        parser.add_argument("municipality", help="the municipality's slug, e.g. smiltene")
        parser.add_argument("year", type=int)
        parser.add_argument("-o", "--output", type=Path, required=True)

    def handle(self, *args, municipality, year, output, **options):
        try:
            tenant = Municipality.objects.get(slug=municipality)
        except Municipality.DoesNotExist:
            raise CommandError(f"No municipality {municipality!r}") from None
        if not 2000 <= year <= 2100:
            raise CommandError("year must be between 2000 and 2100")
        reports = AnnualReport.objects.for_municipality(tenant).filter(year=year)
        report = reports.filter(status=AnnualReport.Status.FINAL).order_by("-number").first()
        if report is not None and report.pdf:
            pdf = bytes(report.pdf)  # the stored file, exactly as finalised
        else:
            report = reports.order_by("-number").first() or AnnualReport(
                municipality=tenant, year=year
            )
            pdf = render_annual_pdf(report)
        output.write_bytes(pdf)
        self.stdout.write(f"{output}: {len(pdf)} bytes, {report}")
