"""The ``newsrag`` command line (``api.cli.app``); ``app`` is the Typer app."""

from api.cli.app import app

__all__ = ["app"]
