"""Settings of the Django sample app: SSO and sessions with Scalekit, nothing else.

Environment: SCALEKIT_ENVIRONMENT_URL / _CLIENT_ID / _CLIENT_SECRET (``run.py`` and
``manage.py runserver`` start the bundled emulator when they are unset), APP_BASE_URL (else
SCALEKIT_APP_BASE_URL, else http://127.0.0.1:$PORT), PORT (8001), SCALEKIT_REDIS_URL /
_REDIS_PREFIX / _REDIS_MAX_CONNECTIONS (sessions in Redis; unset: in cookies),
SCALEKIT_COOKIE_SECRET or DJANGO_SECRET_KEY (generated for the run when both are unset),
DJANGO_DB_PATH (the SQLite database; default db.sqlite3 in this folder, ignored by git).

Reading this module starts nothing: the entry points start the emulator before Django loads it.
"""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

from sample_apps.django_app import app_base_url

log = logging.getLogger("sample_apps.django_app")
logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")

PORT = int(os.environ.get("PORT", "8001"))
APP_BASE_URL = app_base_url()

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY and not os.environ.get("SCALEKIT_COOKIE_SECRET"):
    log.warning("No SCALEKIT_COOKIE_SECRET or DJANGO_SECRET_KEY: sessions last for this run only")
SECRET_KEY = SECRET_KEY or secrets.token_urlsafe(32)
DEBUG = os.environ.get("DJANGO_DEBUG", "") == "1"
ALLOWED_HOSTS = [urlsplit(APP_BASE_URL).hostname or "127.0.0.1", "127.0.0.1", "localhost"]
CSRF_TRUSTED_ORIGINS = [APP_BASE_URL]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "scalekit_django",
    "sample_apps.django_app",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",  # the admin's CSS and JS, also without DEBUG
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "scalekit_django.middleware.ScalekitMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
AUTHENTICATION_BACKENDS = [
    "scalekit_django.backends.ScalekitBackend",
    "django.contrib.auth.backends.ModelBackend",
]
ROOT_URLCONF = "sample_apps.django_app.urls"
ASGI_APPLICATION = "sample_apps.django_app.asgi.application"
TEMPLATES = [
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
]
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get(
            "DJANGO_DB_PATH", str(Path(__file__).resolve().parent / "db.sqlite3")
        ),
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
TIME_ZONE = "UTC"  # times shown as UTC, like the other samples
STATIC_URL = "static/"
# WhiteNoise serves the apps' static files (the admin's) straight from the installed apps: no
# collectstatic step for the sample. A deployment runs collectstatic into STATIC_ROOT instead.
WHITENOISE_USE_FINDERS = True

# Scalekit: the connection values and the session store come from the environment.
SCALEKIT_ENVIRONMENT_URL = os.environ.get("SCALEKIT_ENVIRONMENT_URL", "")
SCALEKIT_CLIENT_ID = os.environ.get("SCALEKIT_CLIENT_ID", "")
SCALEKIT_CLIENT_SECRET = os.environ.get("SCALEKIT_CLIENT_SECRET", "")
SCALEKIT_COOKIE_SECRET = os.environ.get("SCALEKIT_COOKIE_SECRET", "")  # else SECRET_KEY
SCALEKIT_APP_BASE_URL = APP_BASE_URL
SCALEKIT_WEBHOOK_SECRET = os.environ.get("SCALEKIT_WEBHOOK_SECRET", "")  # unset: no webhooks
SCALEKIT_REDIS_URL = os.environ.get("SCALEKIT_REDIS_URL", "")  # unset: sessions in cookies
SCALEKIT_REDIS_PREFIX = os.environ.get("SCALEKIT_REDIS_PREFIX", "")
SCALEKIT_REDIS_MAX_CONNECTIONS = os.environ.get("SCALEKIT_REDIS_MAX_CONNECTIONS", "")
SCALEKIT_LOGIN_PATH = "/login"
SCALEKIT_LOGOUT_PATH = "/logout"
LOGIN_URL = "login"  # Django's own login_required signs in with Scalekit too (?next= works)
# Django's admin (/django-admin/): Scalekit roles belong to an organization and every customer
# organization defines its own, so a role grants staff / superuser only in an organization
# named here. "org_acme" is the emulator's Acme Corp (alice, its admin, gets the admin; carol,
# admin of Globex, does not); with a real environment, put your own organization's id.
SCALEKIT_STAFF_ORGANIZATIONS = {"org_acme": "admin"}
SCALEKIT_SUPERUSER_ORGANIZATIONS = {"org_acme": "admin"}
SCALEKIT_ERROR_TEMPLATE = "django_app/error.html"

# Any other SCALEKIT_* setting (SCALEKIT_SCOPES, SCALEKIT_REFRESH_BUFFER, ...) may come from the
# environment too, as in the Flask and FastAPI samples; the values above win.
for _name, _value in os.environ.items():
    if _name.startswith("SCALEKIT_") and _name not in globals():
        globals()[_name] = _value
