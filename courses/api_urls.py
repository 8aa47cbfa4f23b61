from django.urls import path

from courses import apis

app_name = "courses_api"

urlpatterns = [
    path("", apis.CourseListApi.as_view(), name="courses"),
    path("lessons/<int:pk>/", apis.LessonDetailApi.as_view(), name="lesson"),
    path("lessons/<int:pk>/read/", apis.LessonReadApi.as_view(), name="lesson_read"),
    path("quizzes/<int:quiz_id>/attempts/", apis.AttemptStartApi.as_view(), name="attempt_start"),
    path("quizzes/<int:quiz_id>/statistics/", apis.QuizStatisticsApi.as_view(), name="statistics"),
    path("attempts/<int:pk>/", apis.AttemptDetailApi.as_view(), name="attempt"),
    path("attempts/<int:pk>/answers/", apis.AttemptAnswersApi.as_view(), name="attempt_answers"),
    path("attempts/<int:pk>/submit/", apis.AttemptSubmitApi.as_view(), name="attempt_submit"),
]
