from django.urls import path

from . import views

app_name = "institutions"

urlpatterns = [
    path("institutions/", views.institution_list, name="list"),
    path("institutions/new/", views.institution_create, name="create"),
    path("institutions/<int:pk>/edit/", views.institution_edit, name="edit"),
    path("users/", views.user_list, name="users"),
    path("users/invite/", views.user_invite, name="invite"),
    path("users/<int:pk>/deactivate/", views.membership_deactivate, name="deactivate"),
    path("users/<int:pk>/activate/", views.membership_activate, name="activate"),
]
