from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from diagnostics.views import healthz

# Addresses under /api/ that match no route answer JSON, as the API's other errors do.
handler404 = "simulator.api.page_not_found"

urlpatterns = [
    path("", include("accounts.urls")),
    path("healthz", healthz, name="healthz"),
    path("diagnostics/", include("diagnostics.urls")),
    path("courses/", include("courses.urls")),
    path("shops/", include("catalog.urls")),
    path("scenarios/", include("scenarios.urls")),
    path("practice/", include("roleplay.urls")),
    path("certification/", include("certification.urls")),
    path(".well-known/", include("certification.well_known_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/", include("accounts.api_urls")),
    path("api/diagnostics/", include("diagnostics.api_urls")),
    path("api/courses/", include("courses.api_urls")),
    path("api/scenarios/", include("scenarios.api_urls")),
    path("api/practice/", include("roleplay.api_urls")),
    path("api/certification/", include("certification.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # Split: the start-up script is a file (?script), as the Content-Security-Policy wants.
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="schema", template_name="simulator/swagger_ui.html"
        ),
        name="api_docs",
    ),
]
