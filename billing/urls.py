from django.urls import path

from billing import views

urlpatterns = [
    path("premium/", views.premium, name="premium"),
    path("webhooks/bmac/", views.bmac_webhook, name="bmac_webhook"),
]
