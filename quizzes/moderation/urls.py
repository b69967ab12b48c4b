from django.urls import path

from quizzes.moderation import views

urlpatterns = [
    path("questions/<uuid:question_id>/report/", views.report_problem, name="report_problem"),
    path("questions/submit/", views.submit_question, name="submit_question"),
    path("questions/mine/", views.my_submissions, name="my_submissions"),
    path("reports/", views.my_reports, name="my_reports"),
    # Exhibit images under MEDIA_URL ("media/"): see views.exhibit_image.
    path("media/questions/<path:path>", views.exhibit_image, name="exhibit_image"),
]
