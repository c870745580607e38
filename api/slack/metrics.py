"""Prometheus counters of the Slack bot, on the API's registry (``api.metrics``), so
``GET /metrics`` shows them. Answers are counted by the AskService with the API's
(``newsrag_answers_total{via="slack-mention"|"slack-dm"|…}``). ``api.metrics.counter`` returns the existing metric when a second
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
