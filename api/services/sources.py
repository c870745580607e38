"""Source names in filters: a name the store does not know is a typo, not an empty result."""

from __future__ import annotations

import difflib

from api.components import Components
from api.errors import Invalid


def known_sources(components: Components) -> list[str]:
    return [s for s in components.store.catalog.stats()["sources"] if s != "(none)"]


def check_sources(components: Components, sources: list[str] | None) -> list[str] | None:
    """The cleaned names, or 422 naming each unknown one with its close matches (an empty
    store knows no names, so nothing is refused there)."""
    names = [s.strip() for s in sources or [] if s and s.strip()]
    if not names:
        return None
    known = known_sources(components)
    if not known:
        return names
    by_lower = {k.lower(): k for k in known}
    clean: list[str] = []
    problems: list[str] = []
    for name in names:
        if name in known:
            clean.append(name)
        elif name.lower() in by_lower:  # "sahel monitor": the filter is exact, so fix the case
            clean.append(by_lower[name.lower()])
        else:
            close = difflib.get_close_matches(name, known, n=3, cutoff=0.6)
            close += [k for k in known if name.lower() in k.lower() and k not in close][:3]
            hint = f"did you mean {', '.join(repr(c) for c in close)}?" if close else ""
            problems.append(f"unknown source {name!r}" + (f"; {hint}" if hint else ""))
    if problems:
        shown = ", ".join(repr(k) for k in known[:10]) + (" …" if len(known) > 10 else "")
        raise Invalid("; ".join(problems) + f" (known sources: {shown})")
    return clean
