from django.urls import include, path

from quizzes import views

urlpatterns = [
    path("", views.home, name="home"),
    path("exams/<str:code>/", views.exam_detail, name="exam_detail"),
    path("exams/<str:code>/full/", views.exam_full_start, name="exam_full_start"),
    path("quiz/start/", views.quiz_start, name="quiz_start"),
    path("quiz/history/", views.history, name="history"),
    path("quiz/<uuid:session_id>/", views.quiz_resume, name="quiz_resume"),
    path("quiz/<uuid:session_id>/q/<int:number>/", views.quiz_question, name="quiz_question"),
    path("quiz/<uuid:session_id>/q/<int:number>/answer/", views.quiz_answer, name="quiz_answer"),
    path("quiz/<uuid:session_id>/q/<int:number>/flag/", views.quiz_flag, name="quiz_flag"),
    path("quiz/<uuid:session_id>/q/<int:number>/save/", views.quiz_exam_save, name="quiz_exam_save"),
    path("quiz/<uuid:session_id>/review/", views.quiz_review, name="quiz_review"),
    path("quiz/<uuid:session_id>/finish/", views.quiz_finish, name="quiz_finish"),
    path("quiz/<uuid:session_id>/pause/", views.quiz_pause, name="quiz_pause"),
    path("quiz/<uuid:session_id>/discard/", views.quiz_discard, name="quiz_discard"),
    path("quiz/<uuid:session_id>/resume/", views.quiz_resume_paused, name="quiz_resume_paused"),
    path("quiz/<uuid:session_id>/results/", views.quiz_results, name="quiz_results"),
    path("quiz/<uuid:session_id>/retry/", views.quiz_retry_mistakes, name="quiz_retry_mistakes"),
    path("bookmarks/", views.bookmarks, name="bookmarks"),
    path("questions/<uuid:question_id>/bookmark/", views.bookmark_toggle, name="bookmark_toggle"),
    path("", include("quizzes.moderation.urls")),
]
