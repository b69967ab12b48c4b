from django.urls import path

from gamification import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("help/", views.help_page, name="dashboard_help"),
    path("practice/<str:code>/", views.weak_area_quiz, name="dashboard_weak_area_quiz"),
    path("leaderboard/", views.leaderboard_settings, name="dashboard_leaderboard"),
]
