from django.urls import path

from . import version_views, views

app_name = "plans"

urlpatterns = [
    path("plan/", views.plan_detail, name="detail"),
    path("plan/import/", views.plan_upload, name="import"),
    path("plan/pdf/", views.plan_pdf, name="pdf"),
    path("plan/workbook/", views.workbook_export, name="workbook"),
    path("plan/workbook/import/", views.workbook_import, name="workbook-import"),
    path("plan/edit/", views.plan_edit, name="edit"),
    # Versions come before the part patterns: "versions" would otherwise read as a part kind.
    path("plan/versions/", version_views.version_list, name="versions"),
    path("plan/versions/record/", version_views.version_record, name="version-record"),
    path("plan/versions/compare/", version_views.version_compare, name="version-compare"),
    path("plan/versions/update/", version_views.update_start, name="update-start"),
    path("plan/versions/<int:pk>/", version_views.version_detail, name="version"),
    path("plan/versions/<int:pk>/pdf/", version_views.version_pdf, name="version-pdf"),
    path("plan/versions/<int:pk>/edit/", version_views.update_edit, name="update-edit"),
    path("plan/versions/<int:pk>/approve/", version_views.update_approve, name="update-approve"),
    path("plan/versions/<int:pk>/delete/", version_views.update_delete, name="update-delete"),
    path("plan/<slug:kind>/new/", views.part_create, name="part-create"),
    path("plan/<slug:kind>/<int:pk>/edit/", views.part_edit, name="part-edit"),
    path("plan/<slug:kind>/<int:pk>/delete/", views.part_delete, name="part-delete"),
    path("plan/<slug:kind>/<int:pk>/move/", views.part_move, name="part-move"),
    path("plan/<slug:kind>/<int:pk>/history/", views.part_history, name="part-history"),
]
