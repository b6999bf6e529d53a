"""Run the sample: ``python sample_apps/django_app/run.py`` (from any directory).

Migrates the SQLite database, then serves the ASGI app with uvicorn on 127.0.0.1:$PORT
(no reloader); Ctrl-C or SIGTERM stops it (and the bundled emulator, if it started one).
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def main() -> None:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sample_apps.django_app.settings")
    import django
    import uvicorn
    from django.conf import settings
    from django.core.management import call_command

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)

    port = int(settings.PORT)
    log = logging.getLogger("sample_apps.django_app")

    class Announce(uvicorn.Server):
        async def startup(self, sockets: list | None = None) -> None:  # type: ignore[type-arg]
            await super().startup(sockets)
            if self.started:
                log.info("Open %s", settings.APP_BASE_URL)

    config = uvicorn.Config(
        "sample_apps.django_app.asgi:application",
        host="127.0.0.1",
        port=port,
        log_level="info",
        lifespan="off",
    )
    Announce(config).run()


if __name__ == "__main__":
    main()
