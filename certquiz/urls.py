from django.contrib import admin
from django.urls import include, path

from certquiz import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("admin/quizzes/import-export/", include("quizzes.importexport.urls")),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("account/", include("accounts.urls")),
    path("dashboard/", include("gamification.urls")),
    path("billing/", include("billing.urls")),
    path("", include("quizzes.urls")),
]
