from django.urls import path

from roleplay import apis

app_name = "roleplay_api"

urlpatterns = [path("quick-phrases/", apis.QuickPhrasesApi.as_view(), name="quick_phrases")]
