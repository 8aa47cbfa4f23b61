from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="accounts/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", views.SignOutView.as_view(), name="logout"),
    path("", views.home, name="home"),
    path("cohorts/", views.cohort_list, name="cohort_list"),
    path("cohorts/<int:pk>/", views.cohort_detail, name="cohort_detail"),
    path("onboarding/", views.onboarding_upload, name="onboarding_upload"),
    path("onboarding/<int:pk>/", views.onboarding_preview, name="onboarding_preview"),
    # The initial passwords of an import: one retrieval, in whichever form is chosen first.
    path(
        "onboarding/<int:pk>/passwords.csv",
        views.onboarding_passwords,
        {"how": "csv"},
        name="onboarding_passwords_csv",
    ),
    path(
        "onboarding/<int:pk>/passwords.xlsx",
        views.onboarding_passwords,
        {"how": "xlsx"},
        name="onboarding_passwords_xlsx",
    ),
    path(
        "onboarding/<int:pk>/slips/",
        views.onboarding_passwords,
        {"how": "slips"},
        name="onboarding_password_slips",
    ),
    path("password/", views.password_change, name="password_change"),
    path(
        "people/<int:pk>/password-reset/",
        views.user_password_reset,
        name="user_password_reset",
    ),
]
