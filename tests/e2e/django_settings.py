"""The Django sample's settings, plus ``SCALEKIT_REFRESH_BUFFER`` from the environment.

The Flask and FastAPI samples pass every ``SCALEKIT_*`` variable to their adapter; the Django
sample's settings name theirs one by one and do not name this one. The browser tests need it
(see ``REFRESH_BUFFER`` in ``servers.py``), so they run the Django sample with this module.
"""

from __future__ import annotations

import os

from sample_apps.django_app.settings import *  # noqa: F403

SCALEKIT_REFRESH_BUFFER = os.environ.get("SCALEKIT_REFRESH_BUFFER", "")
