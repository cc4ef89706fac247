"""An OPA server reached with opa-python-client: the bundle's modules are pushed through the
policy API, its data through the data API, and each evaluation is a data-API query with input."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

from policies.base import PolicyBundle, PolicyEngine
from soc.config import PolicySettings
from soc.errors import PolicyError

POLICY_PREFIX = "soc"
ClientFactory = Callable[..., Any]


def _default_client(**kwargs: Any) -> Any:
    from opa_client import OpaClient

    return OpaClient(**kwargs)


def client_options(url: str, timeout: float = 10.0) -> dict[str, Any]:
    """``http(s)://host:port`` → the keyword arguments OpaClient takes."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise PolicyError(f"not an OPA URL: {url!r}", hint="use http(s)://host:8181")
    return {
        "host": parts.hostname,
        "port": parts.port or (443 if parts.scheme == "https" else 8181),
        "ssl": parts.scheme == "https",
        "timeout": timeout,
    }


class OpaEngine(PolicyEngine):
    NAME = "opa"

    def __init__(self, url: str, *, client_factory: ClientFactory = _default_client) -> None:
        self.url = url
        self._client = client_factory(**client_options(url))
        self._queries: Mapping[str, str] = {}

    @classmethod
    def from_settings(cls, settings: PolicySettings) -> OpaEngine:
        if not settings.opa_url:
            raise PolicyError(
                "policy.engine = 'opa' needs policy.opa_url", hint="e.g. http://opa:8181"
            )
        return cls(settings.opa_url)

    def load(self, bundle: PolicyBundle) -> None:
        """Push data first (policies may refer to it), then every module under ``soc/``."""
        try:
            for key, value in bundle.data.items():
                self._client.update_or_create_data(value, key)
            for name, source in bundle.modules.items():
                endpoint = f"{POLICY_PREFIX}/{name.removesuffix('.rego')}"
                self._client.update_policy_from_string(source, endpoint, rego_compat=False)
        except Exception as e:  # the client raises its own and requests' errors
            raise PolicyError(f"cannot load the bundle into OPA: {e}", source=self.url) from e
        self._queries = bundle.queries

    def evaluate(self, query: str, input_doc: Mapping[str, Any]) -> Any:
        path = self._queries.get(query)
        if path is None:
            raise PolicyError(f"no query {query!r}", hint="load the bundle first")
        package, _, rule = path.rpartition("/")
        try:
            response = self._client.query_rule(dict(input_doc), package.replace("/", "."), rule)
        except Exception as e:
            raise PolicyError(f"OPA query {path} failed: {e}", source=self.url) from e
        if not isinstance(response, dict):
            raise PolicyError(f"OPA answered {type(response).__name__}", source=self.url)
        return response.get("result")

    def close(self) -> None:
        close = getattr(self._client, "close_connection", None)
        if close is not None:
            close()
