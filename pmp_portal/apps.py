from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class PmpPortalConfig(AppConfig):
    name = "pmp_portal"
    verbose_name = "PMP portāls"


class PortalAdminConfig(admin_apps.AdminConfig):
    """Django's admin with the portal's site: its login is the portal's (pmp_portal/admin.py)."""

    default = False
    default_site = "pmp_portal.admin.PortalAdminSite"
