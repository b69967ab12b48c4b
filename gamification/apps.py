from django.apps import AppConfig


class GamificationConfig(AppConfig):
    name = "gamification"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from gamification import receivers  # noqa: F401 (connects the signal receivers)
