"""Django settings of the test run (``settings.configure`` in ``conftest.py``).

The ``SCALEKIT_*`` values that point at the emulator are set per test by the ``scalekit``
fixture (through ``override_settings``), since the emulator's port is known only then.
"""

from __future__ import annotations

from typing import Any

SETTINGS: dict[str, Any] = {
    "DEBUG": False,
    "SECRET_KEY": "django-tests-secret-key-" + "k" * 40,
    "ALLOWED_HOSTS": ["testserver", "localhost", "127.0.0.1"],
    "ROOT_URLCONF": "tests.test_django.urls",
    "INSTALLED_APPS": [
        "django.contrib.admin",
        "django.contrib.auth",
        "django.contrib.contenttypes",
        "django.contrib.sessions",
        "django.contrib.messages",
        "rest_framework",
        "scalekit_django",
        "sample_apps.django_app",
    ],
    "MIDDLEWARE": [
        "django.middleware.security.SecurityMiddleware",
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.middleware.common.CommonMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
        "scalekit_django.middleware.ScalekitMiddleware",
        "django.contrib.messages.middleware.MessageMiddleware",
    ],
    "AUTHENTICATION_BACKENDS": [
        "scalekit_django.backends.ScalekitBackend",
        "django.contrib.auth.backends.ModelBackend",
    ],
    "DATABASES": {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
    "DEFAULT_AUTO_FIELD": "django.db.models.BigAutoField",
    "TEMPLATES": [
        {
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "APP_DIRS": True,
            "OPTIONS": {
                "context_processors": [
                    "django.template.context_processors.request",
                    "django.contrib.auth.context_processors.auth",
                    "django.contrib.messages.context_processors.messages",
                ]
            },
        }
    ],
    "USE_TZ": True,
    "LOGIN_URL": "login",  # Django's own login_required goes to Scalekit sign-in too
    "REST_FRAMEWORK": {
        "DEFAULT_AUTHENTICATION_CLASSES": ["scalekit_django.drf.ScalekitAuthentication"],
        "UNAUTHENTICATED_USER": None,
    },
    # Placeholders so `check` passes before a test points them at the emulator.
    "SCALEKIT_ENVIRONMENT_URL": "http://127.0.0.1:9",
    "SCALEKIT_CLIENT_ID": "placeholder",
    "SCALEKIT_CLIENT_SECRET": "placeholder",
    "SCALEKIT_APP_BASE_URL": "http://localhost:8000",
}
