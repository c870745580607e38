"""Prometheus counters of the Slack bot, on the API's registry (``api.metrics``), so
``GET /metrics`` shows them. ``api.metrics.counter`` returns the existing metric when a second
app is built in the same process (tests)."""

from __future__ import annotations

from prometheus_client import Counter

from api import metrics


def feedback_counter() -> Counter:
    return metrics.counter(
        "newsrag_slack_feedback_total",
        "Feedback button clicks on Slack answers, by rating (a changed vote counts again).",
        ["rating"],
    )


def events_counter() -> Counter:
    return metrics.counter(
        "newsrag_slack_events_total",
        "Slack requests by outcome: handled, ignored (bots, chatter), duplicate (retries), "
        "rejected (bad signature or stale timestamp), error.",
        ["outcome"],
    )


def observe_answer(answer, kind: str) -> None:
    """Counted with every other answer (``newsrag_answers_total{via="slack-<kind>"}``)."""
    metrics.observe_answer(answer, via=f"slack-{kind}")


def observe_error(kind: str) -> None:
    metrics.ASK_ERRORS.labels(via=f"slack-{kind}").inc()
