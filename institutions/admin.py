from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Institution, Membership, Municipality


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Institution)
class InstitutionAdmin(SimpleHistoryAdmin):
    list_display = ["name", "municipality", "kind", "is_active"]
    list_filter = ["municipality", "kind", "is_active"]
    search_fields = ["name", "abbreviation"]


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ["user", "municipality", "role", "institution", "is_active"]
    list_filter = ["municipality", "role", "is_active"]
    search_fields = ["user__email", "user__last_name", "institution__name"]
    autocomplete_fields = ["institution"]
    raw_id_fields = ["user", "invited_by"]
