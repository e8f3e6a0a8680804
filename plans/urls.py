from django.urls import path

from . import views

app_name = "plans"

urlpatterns = [
    path("plan/", views.plan_detail, name="detail"),
    path("plan/import/", views.plan_upload, name="import"),
    path("plan/pdf/", views.plan_pdf, name="pdf"),
    path("plan/workbook/", views.workbook_export, name="workbook"),
    path("plan/workbook/import/", views.workbook_import, name="workbook-import"),
    path("plan/edit/", views.plan_edit, name="edit"),
    path("plan/<slug:kind>/new/", views.part_create, name="part-create"),
    path("plan/<slug:kind>/<int:pk>/edit/", views.part_edit, name="part-edit"),
    path("plan/<slug:kind>/<int:pk>/delete/", views.part_delete, name="part-delete"),
    path("plan/<slug:kind>/<int:pk>/move/", views.part_move, name="part-move"),
    path("plan/<slug:kind>/<int:pk>/history/", views.part_history, name="part-history"),
]
