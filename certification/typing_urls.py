from django.urls import path

from certification.views import typing

urlpatterns = [
    path("", typing.typing_test, name="typing_test"),
    path("start/", typing.typing_start, name="typing_start"),
    path("<int:pk>/finish/", typing.typing_finish, name="typing_finish"),
    path("<int:pk>/", typing.typing_result, name="typing_result"),
]
