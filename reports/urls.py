from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("reports/", views.overview, name="overview"),
    path("reports/approve/", views.bulk_approve, name="bulk-approve"),
    path("reports/periods/new/", views.period_form, name="period-create"),
    path("reports/periods/<int:pk>/edit/", views.period_form, name="period-edit"),
    path("reports/periods/<int:pk>/extension/", views.extension_form, name="extension"),
    path(
        "reports/<int:period>/institution/<int:institution>/",
        views.report_page,
        name="report",
    ),
    path("reports/<int:pk>/approve/", views.report_approve, name="approve"),
    path("reports/<int:pk>/return/", views.report_return, name="return"),
    path("reports/<int:pk>/reopen/", views.report_reopen, name="reopen"),
]
