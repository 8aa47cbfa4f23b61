from django.urls import include, path

from certification.views import trainee

app_name = "certification"

urlpatterns = [
    path("", trainee.index, name="index"),
    path("tracks/", include("certification.track_urls")),
    path("typing/", include("certification.typing_urls")),
    path("certificates/", include("certification.certificate_urls")),
]
