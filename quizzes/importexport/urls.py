from django.urls import path

from quizzes.importexport import admin_views

app_name = "importexport"
urlpatterns = [
    path("", admin_views.index, name="index"),
    path("import/", admin_views.import_preview, name="import_preview"),
    path("import/run/", admin_views.import_run, name="import_run"),
    path("export/", admin_views.export, name="export"),
]
