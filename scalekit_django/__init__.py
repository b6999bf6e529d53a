"""Scalekit single sign-on and sessions for Django.

Add the app, its middleware, its authentication backend and its URLs::

    INSTALLED_APPS = [..., "scalekit_django"]
    MIDDLEWARE = [..., "django.contrib.auth.middleware.AuthenticationMiddleware",
                  "scalekit_django.middleware.ScalekitMiddleware", ...]
    AUTHENTICATION_BACKENDS = ["scalekit_django.backends.ScalekitBackend",
                               "django.contrib.auth.backends.ModelBackend"]
    urlpatterns = [path("auth/", include("scalekit_django.urls")), ...]

Public names live in their modules (importing them needs configured Django settings):
``scalekit_django.conf`` (managers and clients), ``scalekit_django.decorators``,
``scalekit_django.mixins``, ``scalekit_django.signals``, ``scalekit_django.testing`` and
``scalekit_django.drf`` (with Django REST framework installed).
"""
