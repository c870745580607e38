"""FastAPI dependencies: the app's parts (built once by ``create_app``) and authentication."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from fastapi import Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from api.auth import Authenticator, KeyStore, Principal
from api.components import Components
from api.services.articles import ArticleService
from api.services.ask import AskService
from api.state.appdb import AppDB
from api.state.conversations import ConversationStore
from api.state.feedback import ApiFeedbackStore
from api.state.jobs import JobManager
from rag.settings import Settings


@dataclass
class AppParts:
    """Everything the routes need, built once per app in ``create_app``."""

    settings: Settings
    components: Components
    db: AppDB
    keys: KeyStore
    auth: Authenticator
    conversations: ConversationStore
    jobs: JobManager
    asker: AskService
    articles: ArticleService
    feedback: ApiFeedbackStore


def parts(request: Request) -> AppParts:
    return request.app.state.parts


def get_settings(request: Request) -> Settings:
    return parts(request).settings


def get_components(request: Request) -> Components:
    return parts(request).components


def get_asker(request: Request) -> AskService:
    return parts(request).asker


def get_conversations(request: Request) -> ConversationStore:
    return parts(request).conversations


def get_articles(request: Request) -> ArticleService:
    return parts(request).articles


def get_jobs(request: Request) -> JobManager:
    return parts(request).jobs


def get_feedback(request: Request) -> ApiFeedbackStore:
    return parts(request).feedback


# Declared for OpenAPI (the "Authorize" button in /docs); the Authenticator reads the headers.
_bearer = HTTPBearer(auto_error=False, description="`Authorization: Bearer KEY`")
_api_key = APIKeyHeader(name="X-API-Key", auto_error=False, description="`X-API-Key: KEY`")


def require(permission: str) -> Callable[..., Principal]:
    """A dependency that authenticates the caller, checks ``permission`` ("ask", "read",
    "admin") and the widget origin, and takes one token from the caller's rate limit."""

    def dependency(
        request: Request,
        _bearer_credentials: HTTPAuthorizationCredentials | None = Security(_bearer),
        _api_key_header: str | None = Security(_api_key),
    ) -> Principal:
        return check_access(request, permission)

    dependency.__name__ = f"require_{permission}"
    return dependency


def check_access(request: Request, permission: str) -> Principal:
    """Authenticate, authorize ``permission``, take a rate-limit token; raises ApiError."""
    auth = parts(request).auth
    client = request.client.host if request.client else ""
    principal = auth.authenticate(request.headers, client)
    auth.authorize(principal, permission, request.headers)
    auth.limit(principal)
    request.state.principal = principal
    return principal


require_ask = require("ask")
require_read = require("read")
require_admin = require("admin")
