from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from institutions.demo import demo_password
from pmp_portal.demo import load_demo_data


class Command(BaseCommand):
    help = "Izveido demo pašvaldības, iestādes un lietotājus (tikai izstrādes režīmā)."

    def handle(self, *args, **options) -> None:
        # A known password must never reach a real deployment.
        if settings.PRODUCTION or not settings.DEBUG:
            raise CommandError(
                "Demo datus drīkst ielādēt tikai izstrādes režīmā (DEBUG). / "
                "Demo data can only be loaded in development mode (DEBUG)."
            )
        logins = load_demo_data()
        self.stdout.write(self.style.SUCCESS("Demo dati ielādēti. / Demo data loaded."))
        self.stdout.write(f"Parole visiem / password for all: {demo_password()}")
        for login in logins:
            where = f" — {login.institution}" if login.institution else ""
            self.stdout.write(f"  {login.email:<32} {login.role}{where} ({login.municipality})")
