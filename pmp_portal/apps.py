from django.apps import AppConfig


class PmpPortalConfig(AppConfig):
    name = "pmp_portal"
    verbose_name = "PMP portāls"
