from django.urls import path

from roleplay import views

app_name = "roleplay"

urlpatterns = [
    path("", views.index, name="index"),
    path("start/<slug:slug>/", views.start, name="start"),
    path("exams/", views.exam_begin, name="exam_begin"),
    path("exams/<int:pk>/", views.exam_detail, name="exam"),
    path("sessions/<int:pk>/", views.session_detail, name="session"),
    path("sessions/<int:pk>/report/", views.report, name="report"),
    path("review/", views.review, name="review_queue"),
    path("cohorts/<int:pk>/weakest/", views.cohort_weakest, name="cohort_weakest"),
]
