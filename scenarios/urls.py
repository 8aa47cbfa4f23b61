from django.urls import path

from scenarios import views

app_name = "scenarios"

urlpatterns = [
    path("", views.index, name="index"),
    path("import/", views.import_files, name="import"),
    path("<slug:slug>/", views.editor, name="editor"),
    path("<slug:slug>/publish/", views.publish, name="publish"),
    path("<slug:slug>/clone/", views.clone, name="clone"),
    path("<slug:slug>/export/", views.export, name="export"),
    path("<slug:slug>/diff/", views.diff, name="diff"),
]
