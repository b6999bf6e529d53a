"""The app to put in ``INSTALLED_APPS``: registers the system checks, the settings watcher and
the receiver that ends the Scalekit session at Django's own sign-out, and keeps codes, state
and tokens of callback URLs out of the access logs (``runserver``'s, uvicorn's, gunicorn's)."""

from __future__ import annotations

from django.apps import AppConfig


class ScalekitConfig(AppConfig):
    """``INSTALLED_APPS = [..., "scalekit_django"]`` (or this class's dotted path)."""

    name = "scalekit_django"
    label = "scalekit_django"
    verbose_name = "Scalekit"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_out
        from django.core.checks import Tags, register
        from django.core.signals import setting_changed

        from scalekit_core.logging import install_redacting_filter

        from .checks import check_installation, check_settings, check_urls
        from .conf import settings_changed
        from .signals import end_scalekit_session

        register(check_settings, "scalekit")
        register(check_installation, "scalekit")
        register(check_urls, "scalekit", Tags.urls)
        setting_changed.connect(settings_changed, dispatch_uid="scalekit_django.conf")
        user_logged_out.connect(end_scalekit_session, dispatch_uid="scalekit_django.signals")
        # After Django's own LOGGING is applied (setup() configures logging, then apps).
        install_redacting_filter()
