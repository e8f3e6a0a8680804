from django.urls import path

from . import views

app_name = "indicators"

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("indicators/<int:pk>/values/", views.values, name="values"),
]
