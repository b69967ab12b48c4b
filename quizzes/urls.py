from django.urls import path

from quizzes import views

urlpatterns = [
    path("", views.home, name="home"),
    path("quiz/start/", views.quiz_start, name="quiz_start"),
    path("quiz/history/", views.history, name="history"),
    path("bookmarks/", views.bookmarks, name="bookmarks"),
]
