"""The event store at scale: Elasticsearch 9 through the official client.

Events go to daily indices named by their own ``@timestamp`` with ``_id`` = ``event.id`` and
``op_type: create``, so a replay, even months later, answers 409 and counts as a duplicate.
Layout and bodies: es_schema.py; bulk logic: es_bulk.py; query DSL: es_query.py;
connection and retries: es_client.py. The design is explained in docs/scale.md.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import orjson
from elasticsearch import ApiError, Elasticsearch, NotFoundError, TransportError

from collectors.base import DeadLetter
from soc.config import ElasticsearchSettings
from soc.ecs import Event
from soc.errors import StoreError, StoreUnavailable
from soc.stores.base import Bucket, EventQuery, EventStore, WriteResult
from soc.stores.es_bulk import (
    Backoff,
    Outcome,
    PreparedEvent,
    bulk_lines,
    chunks,
    classify,
    dead_letter_document,
    dead_letter_from,
    dead_letter_id,
    prepare,
    rejected_letter,
)
from soc.stores.es_client import build_client, call, is_retryable, unavailable, with_retries
from soc.stores.es_query import (
    MAX_RESULT_WINDOW,
    bounded,
    buckets_from,
    events_from,
    query_dsl,
    search_request,
    terms_request,
)
from soc.stores.es_schema import SCHEMA_VERSION, IndexLayout

log = logging.getLogger(__name__)
# Only what the outcome of each item needs: a 5,000-item reply shrinks several-fold.
BULK_REPLY_FIELDS = ["errors", "items.*.status", "items.*.error"]


class PartialWriteError(StoreUnavailable):
    """Part of a batch was stored before the cluster failed. ``committed_ids`` names those
    events so that a caller replaying the batch can tell them from true duplicates."""

    def __init__(self, message: str, committed_ids: frozenset[str]) -> None:
        super().__init__(message, hint="keep the batch and replay it when the cluster is back")
        self.committed_ids = committed_ids


@dataclass
class BulkTally:
    """What one write did, item by item."""

    created: set[str] = field(default_factory=set)
    duplicates: set[str] = field(default_factory=set)
    rejected: list[DeadLetter] = field(default_factory=list)


class ElasticsearchEventStore(EventStore):
    """EventStore on an Elasticsearch 9 cluster (see docs/scale.md for the layout)."""

    NAME = "elasticsearch"

    def __init__(
        self,
        settings: ElasticsearchSettings,
        client: Elasticsearch | None = None,
        *,
        layout: IndexLayout | None = None,
        backoff: Backoff | None = None,
        install_templates: bool = True,
        allow_plaintext: bool = False,
    ) -> None:
        self.settings = settings
        self.layout = layout or IndexLayout.from_settings(settings)
        self.backoff = backoff or Backoff(retries=settings.max_retries)
        self._owns_client = client is None
        self._client = client or build_client(settings, allow_plaintext=allow_plaintext)
        # Writers with a least-privilege key pass False: an administrator ran ensure_setup().
        self._ready = not install_templates

    # -- set-up ----------------------------------------------------------------------------

    def ensure_setup(self) -> None:
        """Install or upgrade the ILM policy, both index templates and the dead-letter index.
        Idempotent: what is already installed at this schema version is left untouched."""
        c, layout = self._client, self.layout
        policy = layout.ilm_policy()
        if self._installed_policy_meta() != policy["_meta"]:
            put_policy = functools.partial(
                c.ilm.put_lifecycle, name=layout.policy_name, policy=policy
            )
            call(self.backoff, "install the ILM policy", put_policy)
        for body in (layout.events_template_body(), layout.dead_letter_template_body()):
            installed = self._installed_template(body["name"])
            if installed == (body["version"], body["meta"]):
                continue
            if installed and installed[0] > SCHEMA_VERSION:
                log.warning("template %s is newer than this version: kept", body["name"])
                continue
            put = functools.partial(c.indices.put_index_template, **body)
            call(self.backoff, f"install index template {body['name']}", put)
        self._create_dead_letter_index()
        self._ready = True

    def _installed_policy_meta(self) -> Any:
        name = self.layout.policy_name
        get = functools.partial(self._client.ilm.get_lifecycle, name=name)
        try:
            found = with_retries(self.backoff, "read the ILM policy", get)
        except NotFoundError:
            return None
        except ApiError as e:
            raise unavailable(e, "read the ILM policy") from e
        return found.body.get(name, {}).get("policy", {}).get("_meta")

    def _installed_template(self, name: str) -> tuple[int, Any] | None:
        get = functools.partial(self._client.indices.get_index_template, name=name)
        try:
            found = with_retries(self.backoff, "read index templates", get)
        except NotFoundError:
            return None
        except ApiError as e:
            raise unavailable(e, "read index templates") from e
        for entry in found.body.get("index_templates", []):
            template = entry.get("index_template", {})
            return int(template.get("version") or 0), template.get("_meta")
        return None

    def _create_dead_letter_index(self) -> None:
        create = functools.partial(self._client.indices.create, index=self.layout.dead_letter_index)
        try:
            with_retries(self.backoff, "create the dead-letter index", create)
        except ApiError as e:
            if e.message != "resource_already_exists_exception":
                raise unavailable(e, "create the dead-letter index") from e

    def _setup_once(self) -> None:
        if self._ready:
            return
        try:
            self.ensure_setup()
        except StoreUnavailable as e:
            cause = e.__cause__
            if not (isinstance(cause, ApiError) and cause.meta.status == 403):
                raise
            # A least-privilege writer key may not manage templates: an administrator installs
            # them once (python -m soc.stores.es_setup); writing goes on meanwhile.
            log.warning("this API key cannot install the index templates: %s", e.message)
            self._ready = True

    # -- writing ---------------------------------------------------------------------------

    def write(self, events: Sequence[Event]) -> WriteResult:
        if not events:
            return WriteResult(0, 0)
        self._setup_once()
        prepared = prepare(events, self.layout)
        tally = BulkTally(rejected=list(prepared.rejected))
        try:
            for chunk in chunks(prepared.events):
                self._send(chunk, tally, "write events")
            self.write_dead_letters(tally.rejected)
        except StoreUnavailable as e:
            if tally.created:
                raise PartialWriteError(str(e), frozenset(tally.created)) from e
            raise
        duplicates = len(tally.duplicates) + prepared.repeats
        return WriteResult(len(tally.created), duplicates, frozenset(tally.duplicates))

    def write_dead_letters(self, letters: Sequence[DeadLetter]) -> None:
        if not letters:
            return
        self._setup_once()
        index = self.layout.dead_letter_index
        items = [
            PreparedEvent(dead_letter_id(d), index, orjson.dumps(dead_letter_document(d)), {})
            for d in letters
        ]
        tally = BulkTally()
        for chunk in chunks(items):
            self._send(chunk, tally, "write dead letters")
        if tally.rejected:  # our own documents: a refusal here is a bug, not bad input
            raise StoreError(f"dead letters refused: {tally.rejected[0].reason}")

    def _send(self, items: list[PreparedEvent], tally: BulkTally, what: str) -> None:
        """One bulk request per attempt; busy items are sent again after a pause."""
        pending, last, unsure = items, "", False
        for attempt in range(self.backoff.retries + 1):
            if attempt:
                self.backoff.pause(attempt - 1)
            # Pre-encoded NDJSON lines: the client's serializer sends bytes lines unchanged.
            lines = cast(Sequence[Mapping[str, Any]], bulk_lines(pending))
            try:
                reply = self._client.bulk(operations=lines, filter_path=BULK_REPLY_FIELDS)
            except (ApiError, TransportError) as e:
                if not is_retryable(e):
                    raise unavailable(e, what) from e
                last = type(e).__name__
                # Without a reply (or behind a failing gateway) the cluster may have stored the
                # events anyway; "busy" and "unavailable" answers mean it did not.
                unsure = unsure or not (isinstance(e, ApiError) and e.meta.status in (429, 503))
                continue
            pending = self._tally(pending, reply.body.get("items", []), tally, unsure)
            if not pending:
                return
            last = f"{len(pending)} events refused as busy"
        raise StoreUnavailable(f"{what} failed after {self.backoff.retries + 1} attempts: {last}")

    @staticmethod
    def _tally(
        pending: list[PreparedEvent], items: list[Any], tally: BulkTally, unsure: bool
    ) -> list[PreparedEvent]:
        if len(items) != len(pending):
            raise StoreUnavailable(f"bulk reply has {len(items)} items for {len(pending)} sent")
        retry: list[PreparedEvent] = []
        failed: list[str] = []
        for item, reply in zip(pending, items, strict=True):
            outcome, reason = classify(reply)
            if outcome is Outcome.CREATED:
                tally.created.add(item.event_id)
            elif outcome is Outcome.DUPLICATE:
                # After an attempt without a reply, a 409 may be our own earlier write: the
                # event counts as new so detections see it (at least once, never zero times).
                (tally.created if unsure else tally.duplicates).add(item.event_id)
            elif outcome is Outcome.REJECTED:
                tally.rejected.append(rejected_letter(item, reason))
            elif outcome is Outcome.RETRY:
                retry.append(item)
            else:
                failed.append(reason)
        if failed:
            raise StoreUnavailable(f"elasticsearch refused {len(failed)} events: {failed[0]}")
        return retry

    # -- reading ---------------------------------------------------------------------------

    def search(self, query: EventQuery) -> list[Event]:
        request = search_request(query)
        if request["size"] == 0:
            return []
        run = functools.partial(self._client.search, index=self.layout.events_pattern, **request)
        return events_from(call(self.backoff, "search events", run).body)

    def count(self, query: EventQuery) -> int:
        run = functools.partial(
            self._client.count, index=self.layout.events_pattern, query=query_dsl(query)
        )
        return int(call(self.backoff, "count events", run).body.get("count", 0))

    def aggregate(self, field_name: str, query: EventQuery, size: int = 10) -> list[Bucket]:
        request = terms_request(field_name, query, size)
        run = functools.partial(self._client.search, index=self.layout.events_pattern, **request)
        return buckets_from(call(self.backoff, f"top values of {field_name}", run).body)

    def dead_letters(self, limit: int = 100) -> list[DeadLetter]:
        return self._dead_letters({"match_all": {}}, limit)

    def dead_letters_from(self, source: str, limit: int = 100) -> list[DeadLetter]:
        return self._dead_letters({"term": {"dead_letter.source": source}}, limit)

    def _dead_letters(self, query: dict[str, Any], limit: int) -> list[DeadLetter]:
        size = bounded(limit, MAX_RESULT_WINDOW)
        if size == 0:
            return []
        run = functools.partial(
            self._client.search,
            index=self.layout.dead_letter_index,
            query=query,
            sort=[{"@timestamp": {"order": "desc"}}],
            size=size,
            ignore_unavailable=True,
        )
        body = call(self.backoff, "read dead letters", run).body
        return [dead_letter_from(hit["_source"]) for hit in body.get("hits", {}).get("hits", [])]

    def dead_letter_count(self) -> int:
        run = functools.partial(
            self._client.count, index=self.layout.dead_letter_index, ignore_unavailable=True
        )
        return int(call(self.backoff, "count dead letters", run).body.get("count", 0))

    def refresh(self) -> None:
        """Make everything written so far searchable now (tests, drills); normally the
        index refresh interval does it within seconds."""
        indices = f"{self.layout.events_pattern},{self.layout.dead_letter_index}"
        run = functools.partial(
            self._client.indices.refresh, index=indices, ignore_unavailable=True
        )
        call(self.backoff, "refresh", run)

    def close(self) -> None:
        if self._owns_client:
            self._client.close()
