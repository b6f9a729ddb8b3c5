from __future__ import annotations

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy
from django.utils.translation import gettext_lazy as _

from accounts import views
from accounts.forms import EmailAuthenticationForm, InclusivePasswordResetForm
from accounts.limits import limit_posts

app_name = "accounts"

urlpatterns = [
    path(
        "sign-in/",
        limit_posts(
            auth_views.LoginView.as_view(
                template_name="accounts/login.html",
                authentication_form=EmailAuthenticationForm,
                redirect_authenticated_user=True,
            ),
            group="sign-in",
            rate=lambda: settings.SIGN_IN_RATE,
            what=_("sign-in attempts"),
        ),
        name="login",
    ),
    path("sign-out/", views.sign_out, name="logout"),
    path(
        "password-reset/",
        limit_posts(
            auth_views.PasswordResetView.as_view(
                template_name="accounts/password_reset_form.html",
                form_class=InclusivePasswordResetForm,
                email_template_name="accounts/email/password_reset.txt",
                subject_template_name="accounts/email/password_reset_subject.txt",
                success_url=reverse_lazy("accounts:password_reset_done"),
            ),
            group="password-reset",
            rate=lambda: settings.PASSWORD_RESET_RATE,
            what=_("requests for a password e-mail"),
        ),
        name="password_reset",
    ),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "set-password/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="accounts/password_reset_confirm.html",
            success_url=reverse_lazy("accounts:password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "set-password/done/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="accounts/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
]
