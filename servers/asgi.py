"""The entry point uvicorn imports in every worker: the app from AUTHLAB_SETTINGS."""

from __future__ import annotations

from starlette.applications import Starlette

from servers.config import Settings
from servers.routes import build_app


def app_from_environment() -> Starlette:
    return build_app(Settings.from_environment())
