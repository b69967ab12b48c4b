from django.urls import path

from gamification import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
]
