"""The Flask sample app: ``create_app()`` builds it, ``run.py`` serves it."""

from .app import create_app

__all__ = ["create_app"]
