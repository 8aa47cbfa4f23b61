from django.urls import path

from catalog import views

app_name = "catalog"

urlpatterns = [
    path("", views.shop_list, name="shops"),
    path("<slug:slug>/", views.shop_detail, name="shop"),
]
