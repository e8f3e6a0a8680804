from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import set_language

from institutions import two_factor
from institutions.forms_auth import PortalPasswordResetForm, PortalSetPasswordForm

from . import views

auth_patterns = [
    path("login/", two_factor.PortalLoginView.as_view(), name="login"),
    path("login/code/", two_factor.login_verify, name="login-verify"),
    path("account/security/", two_factor.security, name="account-security"),
    path("account/security/qr.svg", two_factor.security_qr, name="account-security-qr"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password-reset/",
        auth_views.PasswordResetView.as_view(
            form_class=PortalPasswordResetForm,
            email_template_name="registration/password_reset_email.txt",
            subject_template_name="registration/password_reset_subject.txt",
        ),
        name="password_reset",
    ),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "set-password/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(form_class=PortalSetPasswordForm),
        name="password_reset_confirm",
    ),
    path(
        "set-password/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("health/", views.health, name="health"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
    *auth_patterns,
    path("<slug:municipality>/", views.municipality_home, name="municipality-home"),
    path("<slug:municipality>/", include("institutions.urls")),
    path("<slug:municipality>/", include("plans.urls")),
    path("<slug:municipality>/", include("reports.urls")),
]

handler403 = "pmp_portal.core.errors.permission_denied"
handler404 = "pmp_portal.core.errors.page_not_found"
