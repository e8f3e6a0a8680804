from django.urls import path

from . import annual_views, monitoring_views, views

app_name = "reports"

urlpatterns = [
    path("reports/", views.overview, name="overview"),
    path("reports/approve/", views.bulk_approve, name="bulk-approve"),
    path("reports/periods/new/", views.period_form, name="period-create"),
    path("reports/periods/<int:pk>/edit/", views.period_form, name="period-edit"),
    path("reports/periods/<int:pk>/extension/", views.extension_form, name="extension"),
    path("reports/<int:period>/institution/<int:institution>/", views.report_page, name="report"),
    path("reports/<int:pk>/approve/", views.report_approve, name="approve"),
    path("reports/<int:pk>/return/", views.report_return, name="return"),
    path("reports/<int:pk>/reopen/", views.report_reopen, name="reopen"),
    path("dashboard/", monitoring_views.dashboard, name="dashboard"),
    path("indicators/<int:pk>/values/", monitoring_views.indicator_values, name="indicator-values"),
    path("annual/", annual_views.annual_list, name="annual-list"),
    path("annual/new/", annual_views.annual_create, name="annual-create"),
    path("annual/<int:pk>/", annual_views.annual_detail, name="annual-detail"),
    path("annual/<int:pk>/edit/", annual_views.annual_edit, name="annual-edit"),
    path("annual/<int:pk>/render/", annual_views.annual_render, name="annual-render"),
    path("annual/<int:pk>/pdf/", annual_views.annual_pdf, name="annual-pdf"),
]
