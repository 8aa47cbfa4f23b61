from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from diagnostics.views import healthz

urlpatterns = [
    path("", include("accounts.urls")),
    path("healthz", healthz, name="healthz"),
    path("diagnostics/", include("diagnostics.urls")),
    path("courses/", include("courses.urls")),
    path("shops/", include("catalog.urls")),
    path("scenarios/", include("scenarios.urls")),
    path("practice/", include("roleplay.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/", include("accounts.api_urls")),
    path("api/diagnostics/", include("diagnostics.api_urls")),
    path("api/courses/", include("courses.api_urls")),
    path("api/scenarios/", include("scenarios.api_urls")),
    path("api/practice/", include("roleplay.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api_docs"),
]
