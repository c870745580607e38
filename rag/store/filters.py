"""The restrictions a question puts on the corpus (``as_of``, sources): one rule for every store.

The catalog turns ``Filters`` into SQL, the vector index into a Chroma ``where`` clause, and the
retriever checks candidates with ``admits``; all three read the same ``day_range`` and
``sources``, so "published on or before as_of, undated only when asked for" is stated once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

UNDATED = -1  # published_day of an article whose date is unknown


def day_number(d: date | None) -> int:
    """The ``published_day`` both stores keep: the date's ordinal, ``UNDATED`` without one."""
    return d.toordinal() if d else UNDATED


@dataclass(frozen=True)
class Filters:
    """Restrictions applied inside every store query (never after it)."""

    as_of: date | None = None
    sources: tuple[str, ...] = ()
    include_undated: bool = False

    @property
    def active(self) -> bool:
        return self.as_of is not None or bool(self.sources)

    def day_range(self) -> tuple[int, int] | None:
        """Inclusive bounds on ``published_day``, or None when any day will do. Undated
        articles (``UNDATED``, below every real day) fall inside only with ``include_undated``."""
        if self.as_of is None:
            return None
        return (UNDATED if self.include_undated else 0), day_number(self.as_of)

    def admits(self, published: date | None, source: str | None) -> bool:
        """Whether an article with this date and source passes, checked in Python."""
        days = self.day_range()
        if days is not None and not days[0] <= day_number(published) <= days[1]:
            return False
        return not self.sources or source in self.sources
