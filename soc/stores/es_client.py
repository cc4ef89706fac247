"""Connecting to Elasticsearch: the TLS client with its API key from the environment, and
requests retried with backoff, their failures turned into the platform's store errors."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from elasticsearch import ApiError, Elasticsearch, TransportError

from soc.config import ElasticsearchSettings
from soc.errors import ConfigError, StoreError, StoreUnavailable
from soc.stores.es_bulk import RETRY_STATUSES, Backoff

log = logging.getLogger(__name__)
T = TypeVar("T")
AUTH_HINT = (
    "check the API key in the variable named by store.elasticsearch.api_key_env "
    "and its privileges (docs/scale.md)"
)


def build_client(
    settings: ElasticsearchSettings,
    *,
    environ: Mapping[str, str] | None = None,
    allow_plaintext: bool = False,
    client_options: Mapping[str, Any] | None = None,
) -> Elasticsearch:
    """A client over TLS with the API key read from the environment (never stored or logged).

    ``client_options`` go to the client unchanged (``http_compress``, a test ``node_class``).
    """
    if not settings.hosts:
        raise ConfigError("no Elasticsearch host", source="store.elasticsearch.hosts")
    plain = [h for h in settings.hosts if not h.lower().startswith("https://")]
    if plain and not allow_plaintext:
        raise ConfigError(
            f"Elasticsearch host {plain[0]!r} is not https",
            source="store.elasticsearch.hosts",
            hint="events carry personal data: use https:// hosts (TLS)",
        )
    if settings.ca_certs is not None and not settings.ca_certs.is_file():
        raise ConfigError("CA certificate file not found", source=settings.ca_certs)
    env = os.environ if environ is None else environ
    api_key = env.get(settings.api_key_env) or None
    if api_key is None:
        log.warning("no API key in $%s: connecting without authentication", settings.api_key_env)
    if not settings.verify_certs:
        log.warning("TLS certificate verification is off for Elasticsearch: use only in a lab")
    options: dict[str, Any] = {
        "hosts": list(settings.hosts),
        "api_key": api_key,
        "verify_certs": settings.verify_certs,
        "request_timeout": settings.request_timeout,
        # Retries are ours (with backoff, and per bulk item): the transport must not add more.
        "max_retries": 0,
        "retry_on_timeout": False,
    }
    if settings.ca_certs is not None:
        options["ca_certs"] = str(settings.ca_certs)
    options.update(client_options or {})
    return Elasticsearch(**options)


def is_retryable(error: Exception) -> bool:
    """Busy (429), failing (5xx) or unreachable (connection, timeout): worth another try."""
    if isinstance(error, ApiError):
        return error.meta.status in RETRY_STATUSES
    return isinstance(error, TransportError)


def unavailable(error: Exception, what: str) -> StoreUnavailable:
    if isinstance(error, ApiError):
        status = error.meta.status
        hint = AUTH_HINT if status in (401, 403) else None
        return StoreUnavailable(f"{what}: HTTP {status} {error.message}", hint=hint)
    return StoreUnavailable(
        f"{what}: {type(error).__name__}", hint="is the Elasticsearch cluster reachable?"
    )


def with_retries(backoff: Backoff, what: str, request: Callable[[], T]) -> T:
    """Run ``request``; retry what is retryable with backoff; after the last attempt raise
    StoreUnavailable. Other client errors propagate unchanged for the caller to classify."""
    attempt = 0
    while True:
        try:
            return request()
        except (ApiError, TransportError) as e:
            if not is_retryable(e):
                raise
            if attempt >= backoff.retries:
                raise unavailable(e, f"{what} failed after {attempt + 1} attempts") from e
            log.info("%s: %s, retrying", what, type(e).__name__)
            backoff.pause(attempt)
            attempt += 1


def store_error(error: ApiError, what: str) -> StoreError:
    """A refused request: the cluster (auth, server) → StoreUnavailable, the query → StoreError."""
    status = error.meta.status
    if status in (401, 403) or status >= 500:
        return unavailable(error, what)
    return StoreError(f"{what}: HTTP {status} {error.message}: {_reason(error)}")


def _reason(error: ApiError) -> str:
    body = error.body
    if isinstance(body, Mapping) and isinstance(body.get("error"), Mapping):
        return str(body["error"].get("reason", ""))[:500]
    return ""


def call(backoff: Backoff, what: str, request: Callable[[], T]) -> T:
    """``with_retries`` with every failure turned into a StoreError."""
    try:
        return with_retries(backoff, what, request)
    except ApiError as e:
        raise store_error(e, what) from e
