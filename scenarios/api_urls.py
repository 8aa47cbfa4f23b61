from django.urls import path

from scenarios import apis

app_name = "scenarios_api"

urlpatterns = [
    path("", apis.ScenarioListApi.as_view(), name="list"),
    path("schema/", apis.SchemaApi.as_view(), name="schema"),
    path("validate/", apis.ValidateApi.as_view(), name="validate"),
    path("diagram/", apis.DiagramApi.as_view(), name="diagram"),
    path("<slug:slug>/", apis.ScenarioDetailApi.as_view(), name="detail"),
    path("<slug:slug>/draft/", apis.DraftApi.as_view(), name="draft"),
    path("<slug:slug>/publish/", apis.PublishApi.as_view(), name="publish"),
    path("<slug:slug>/unpublish/", apis.UnpublishApi.as_view(), name="unpublish"),
    path("<slug:slug>/clone/", apis.CloneApi.as_view(), name="clone"),
    path("<slug:slug>/dry-run/", apis.DryRunApi.as_view(), name="dry_run"),
]
