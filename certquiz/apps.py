from django.apps import AppConfig


class CertQuizConfig(AppConfig):
    name = "certquiz"
    verbose_name = "CertQuiz"

    def ready(self):
        # allauth counts its limits (login, failed logins, sign-up) in Django's default cache, which is
        # per process without Redis; it has no setting for another cache, so it is given the shared one.
        from allauth.core.internal import ratelimit as allauth_ratelimit
        from django.conf import settings
        from django.core.cache import caches
        from django.utils.connection import ConnectionProxy

        allauth_ratelimit.cache = ConnectionProxy(caches, settings.RATE_LIMIT_CACHE)
