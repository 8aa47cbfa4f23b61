from django.urls import path

from courses import views

app_name = "courses"

urlpatterns = [
    path("", views.index, name="index"),
    path("authoring/", views.authoring, name="authoring"),
    path(
        "authoring/<slug:course_slug>/<slug:module_slug>/",
        views.module_editor,
        name="module_editor",
    ),
    path(
        "authoring/<slug:course_slug>/<slug:module_slug>/validate/",
        views.module_validate,
        name="module_validate",
    ),
    path("quizzes/<int:quiz_id>/start/", views.quiz_start, name="quiz_start"),
    path("quizzes/<int:quiz_id>/statistics/", views.statistics, name="statistics"),
    path("attempts/<int:attempt_id>/", views.attempt_detail, name="attempt"),
    path("drills/", views.drills, name="drills"),
    path("drills/<int:drill_id>/", views.drill_detail, name="drill"),
    path("<slug:course_slug>/<slug:module_slug>/", views.module_detail, name="module"),
    path(
        "<slug:course_slug>/<slug:module_slug>/<slug:lesson_slug>/",
        views.lesson_detail,
        name="lesson",
    ),
]
