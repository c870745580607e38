"""The one place that tells Hugging Face, transformers and Chroma to stay offline.

Called by entry points (the CLI, the server, bench scripts) before a model loads, never at import:
importing a module must not change the process's environment.
"""

from __future__ import annotations

import os

OFFLINE_ENV = {
    # The models ship inside PyPI packages; a hub lookup would hang or fail on a closed network.
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    # Chroma's telemetry would try to phone home on every client start.
    "ANONYMIZED_TELEMETRY": "False",
}


def configure_offline() -> None:
    """Set the offline variables, leaving any the user set explicitly as they are."""
    for name, value in OFFLINE_ENV.items():
        os.environ.setdefault(name, value)
