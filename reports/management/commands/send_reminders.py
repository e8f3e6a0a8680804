from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from institutions.models import Municipality
from reports.reminders import due_reminders, send_reminder


class Command(BaseCommand):
    help = (
        "E-mail the reporters of institutions whose semester report is due within N days or "
        "overdue. Safe to run daily from cron: at most one e-mail per report and day."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=7, help="due within this many days")
        parser.add_argument(
            "--overdue-days",
            type=int,
            default=30,
            help="keep reminding this many days after the due date",
        )
        parser.add_argument("--municipality", help="only this municipality (its slug)")
        parser.add_argument("--today", help="YYYY-MM-DD instead of today (for checks)")
        parser.add_argument("--dry-run", action="store_true", help="list, send nothing")

    def handle(self, *args, days, overdue_days, municipality, today, dry_run, **options):
        if days < 0 or overdue_days < 0:
            raise CommandError("--days and --overdue-days must not be negative")
        try:
            day = datetime.date.fromisoformat(today) if today else timezone.localdate()
        except ValueError as error:
            raise CommandError(f"--today: {error}") from None
        municipalities = Municipality.objects.all()
        if municipality:
            municipalities = municipalities.filter(slug=municipality)
            if not municipalities.exists():
                raise CommandError(f"No municipality {municipality!r}")
        sent = skipped = failed = 0
        for item in municipalities:
            for reminder in due_reminders(item, day, days, overdue_days):
                label = f"{item.slug}: {reminder.period} → {', '.join(reminder.recipients)}"
                if dry_run:
                    self.stdout.write(f"would send {label}")
                    continue
                try:
                    done = send_reminder(reminder, day)
                except Exception as error:  # one bad address must not stop the rest
                    failed += 1
                    self.stderr.write(f"failed {label}: {error}")
                    continue
                if done:
                    sent += 1
                    self.stdout.write(f"sent {label}")
                else:
                    skipped += 1
        summary = f"{sent} reminder(s) sent, {skipped} already sent today, {failed} failed"
        if failed:
            # Cron mails the output of a failing job; the failed ones are retried next run.
            raise CommandError(summary)
        self.stdout.write(self.style.SUCCESS(summary))
