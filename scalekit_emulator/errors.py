"""The two error families the emulator answers with: OAuth JSON and gRPC-gateway JSON."""

from __future__ import annotations

from typing import Any


class OAuthError(Exception):
    """An RFC 6749 error; rendered as JSON by the token endpoint or as a redirect."""

    def __init__(self, error: str, description: str, status_code: int = 400) -> None:
        super().__init__(f"{error}: {description}")
        self.error = error
        self.description = description
        self.status_code = status_code

    def as_json(self) -> dict[str, str]:
        return {"error": self.error, "error_description": self.description}


# gRPC code -> (HTTP status, canonical name), as grpc-gateway maps them.
GRPC_CODES: dict[int, tuple[int, str]] = {
    3: (400, "INVALID_ARGUMENT"),
    5: (404, "NOT_FOUND"),
    6: (409, "ALREADY_EXISTS"),
    7: (403, "PERMISSION_DENIED"),
    8: (429, "RESOURCE_EXHAUSTED"),
    16: (401, "UNAUTHENTICATED"),
}


class ApiError(Exception):
    """A management API error in the gRPC-gateway shape."""

    def __init__(self, code: int, message: str, error_code: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.http_status, name = GRPC_CODES[code]
        self.error_code = error_code or name

    def as_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": self.message,
            "details": [
                {
                    "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                    "error_code": self.error_code,
                }
            ],
        }


def not_found(what: str, ident: str) -> ApiError:
    return ApiError(5, f"{what} {ident} not found", f"{what.upper()}_NOT_FOUND")


def invalid_argument(message: str) -> ApiError:
    return ApiError(3, message, "INVALID_ARGUMENT")
