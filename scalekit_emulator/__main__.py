"""Command line: ``python -m scalekit_emulator`` / ``scalekit-emulator``."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType

from .emulator import Emulator
from .server import EmulatorServer


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="scalekit-emulator", description="A local Scalekit environment for development."
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--data", metavar="FILE", help="persist state as JSON in FILE")
    parser.add_argument(
        "--redirect-uri",
        action="append",
        dest="redirect_uris",
        metavar="PATTERN",
        help=(
            "a registered redirect URI, exact or an fnmatch pattern such as"
            " 'https://*.example.com/callback'; repeatable. Replaces the default of any"
            " http(s) URL on localhost or 127.0.0.1"
        ),
    )
    parser.add_argument(
        "--webhook-url",
        action="append",
        dest="webhook_urls",
        default=[],
        metavar="URL",
        help="deliver signed webhooks (session and user events) to URL; repeatable",
    )
    parser.add_argument(
        "--webhook-secret",
        metavar="WHSEC",
        help="their signing secret (whsec_<base64>; generated and printed when omitted)",
    )
    parser.add_argument(
        "--enable-controls",
        action="store_true",
        help="serve the /_emulator/* test control endpoints",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    # Not written to --data: that file holds state and keys, while every setting (host, port,
    # controls, redirect URIs) comes from the command line on each start.
    emulator = Emulator(
        enable_controls=args.enable_controls,
        data_path=args.data,
        redirect_uris=args.redirect_uris,
    )
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    # The server runs in a thread so the main thread owns signals and shuts down cleanly.
    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        server = EmulatorServer(emulator, host=args.host, port=args.port).start()
    except OSError as exc:
        print(
            f"scalekit-emulator: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr
        )
        return 1
    secret = args.webhook_secret
    for url in args.webhook_urls:
        try:
            secret = emulator.webhooks.register(url, secret).secret
        except ValueError as exc:
            server.stop()
            print(f"scalekit-emulator: --webhook-url {url}: {exc}", file=sys.stderr)
            return 2
    for name, value in emulator.env().items():
        print(f"{name}={value}")
    if secret is not None and args.webhook_urls:
        print(f"SCALEKIT_WEBHOOK_SECRET={secret}")
    sys.stdout.flush()
    try:
        while not stop.wait(0.5):
            pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
