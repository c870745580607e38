"""``python -m api.cli``: the ``newsrag`` command without the installed script."""

from api.cli import app

app()
