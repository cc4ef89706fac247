"""The assembled console: page registry, pages per role, callbacks end to end over HTTP."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import dash
import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from soc.config import Settings
from soc.state.db import StateDB
from soc.state.models import Alert, AuditEntry
from soc.stores.sqlite import SqliteEventStore
from soc_dashboard.app import PAGE_MODULES, PAGES_DIR, create_app
from soc_dashboard.views.alerts import TRANSITIONS
from tests.soc_dashboard.conftest import (
    dash_call,
    seed_alert,
    seed_compliance,
    seed_inventory,
    sign_in,
)


def route(client: FlaskClient, path: str, search: str = "") -> str:
    response = dash_call(
        client,
        [("_pages_content", "children"), ("_pages_store", "data")],
        [("_pages_location", "pathname", path), ("_pages_location", "search", search)],
    )
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return json.dumps(response.json, ensure_ascii=False)


def test_every_page_module_is_registered(app: Any) -> None:
    on_disk = {p.stem for p in PAGES_DIR.glob("*.py") if not p.stem.startswith("_")}
    assert on_disk == set(PAGE_MODULES)
    paths = {page["path"] for page in dash.page_registry.values()}
    assert {"/", "/alerts", "/events", "/compliance", "/systems", "/evidence", "/audit"} <= paths


@pytest.mark.parametrize(
    ("user", "path", "shown"),
    [
        ("ana", "/", "Tổng quan tình hình"),
        ("ana", "/alerts", "Lọc cảnh báo"),
        ("ana", "/events", "Tìm kiếm sự kiện"),
        ("ana", "/compliance", "Lần đánh giá gần nhất"),
        ("ana", "/systems", "Cổng dịch vụ công"),
        ("ana", "/audit", "không được xem"),
        ("audi", "/", "không được xem"),
        ("audi", "/alerts", "không được xem"),
        ("audi", "/events", "không được xem"),
        ("audi", "/compliance", "Lần đánh giá gần nhất"),
        ("audi", "/audit", "Nhật ký thao tác"),
        ("drill", "/alerts", "chỉ được xem"),
        ("ana", "/no/such/page", "Không tìm thấy trang"),
    ],
)
def test_pages_follow_the_role(
    client: FlaskClient, state: StateDB, user: str, path: str, shown: str
) -> None:
    seed_inventory(state)
    seed_compliance(state)
    sign_in(client, user)
    assert shown in route(client, path)


def test_pages_declare_their_language(client: FlaskClient) -> None:
    sign_in(client, "ana")
    assert '<html lang="vi">' in client.get("/alerts").get_data(as_text=True)
    client.get("/alerts?lang=en")
    assert '<html lang="en">' in client.get("/alerts").get_data(as_text=True)


def test_navigation_lists_only_permitted_pages(client: FlaskClient) -> None:
    sign_in(client, "audi")
    layout = client.get("/_dash-layout").get_data(as_text=True)
    assert "shell-nav-compliance" in layout and "shell-nav-audit" in layout
    assert "shell-nav-alerts" not in layout and "shell-nav-overview" not in layout


def test_validation_knows_every_page_whoever_comes_first(client: FlaskClient, app: Any) -> None:
    sign_in(client, "audi")  # refused most pages
    client.get("/_dash-layout")
    for component in (
        "alerts-table",
        "alerts-note",
        "events-table",
        "overview-stats",
        "compliance-results",
        "compliance-changes",
        "systems-sys-save",
        "systems-agency-f-parent",
        "systems-upload",
        "evidence-table",
        "evidence-rec-save",
        "shell-nav",
    ):
        assert component in app.validation_layout


def _refresh_alerts(client: FlaskClient, lang: str = "vi") -> Any:
    return dash_call(
        client,
        [("alerts-table", "children"), ("alerts-count", "children")],
        [
            ("alerts-status", "value", ["new"]),
            ("alerts-level", "value", None),
            ("alerts-engine", "value", None),
            ("alerts-system", "value", None),
            ("alerts-refresh", "n_clicks", 0),
            ("alerts-tick", "n_intervals", None),
            ("alerts-version", "data", 0),
            ("alerts-selected", "data", None),
        ],
        [("shell-context", "data", {"lang": lang})],
    )


def _act(client: FlaskClient, alert_id: int, button: str) -> Any:
    buttons = [f"alerts-action-{action.replace('_', '-')}" for action in TRANSITIONS]
    return dash_call(
        client,
        [("alerts-result", "children"), ("alerts-version", "data"), ("alerts-note", "value")],
        [(b, "n_clicks", 1 if b == button else 0) for b in buttons],
        [
            ("alerts-selected", "data", alert_id),
            ("alerts-note", "value", "đã gọi điện cho đơn vị"),
            ("alerts-version", "data", 0),
            ("shell-context", "data", {"lang": "vi"}),
        ],
        changed=[f"{button}.n_clicks"],
    )


def test_alert_queue_and_acknowledge_over_http(client: FlaskClient, state: StateDB) -> None:
    alert_id = seed_alert(state)
    sign_in(client, "ana")
    table = json.dumps(_refresh_alerts(client).json, ensure_ascii=False)
    assert "SSH brute force against the portal" in table and "1 cảnh báo" in table
    answer = _act(client, alert_id, "alerts-action-acknowledge").json["response"]
    assert answer["alerts-version"]["data"] == 1
    assert "Đã tiếp nhận" in json.dumps(answer["alerts-result"], ensure_ascii=False)
    with state.session() as s:
        assert s.get(Alert, alert_id).status == "acknowledged"  # type: ignore[union-attr]
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "alert.acknowledge")).one()
        assert entry.actor == "ana" and entry.details["note"] == "đã gọi điện cho đơn vị"
    # Acknowledging twice is refused with a clear reason, not an error page.
    again = json.dumps(_act(client, alert_id, "alerts-action-acknowledge").json, ensure_ascii=False)
    assert "Không thực hiện được" in again


def test_read_only_roles_cannot_act_even_by_forging_the_callback(
    client: FlaskClient, state: StateDB
) -> None:
    alert_id = seed_alert(state)
    sign_in(client, "drill")
    assert _refresh_alerts(client).status_code == 200
    assert _act(client, alert_id, "alerts-action-close").status_code == 403
    with state.session() as s:
        assert s.get(Alert, alert_id).status == "new"  # type: ignore[union-attr]


def test_english_texts_after_switching(client: FlaskClient, state: StateDB) -> None:
    seed_alert(state)
    sign_in(client, "ana")
    client.get("/alerts?lang=en")
    layout = client.get("/_dash-layout").get_data(as_text=True)
    assert "Sign out" in layout and '"lang":"en"' in layout
    assert "Alerts shown: 1" in json.dumps(_refresh_alerts(client, "en").json)


def test_two_apps_in_one_process_keep_their_own_stores(
    settings: Settings,
    state: StateDB,
    store: SqliteEventStore,
    users: dict[str, str],
    tmp_path: Path,
) -> None:
    other_store = SqliteEventStore(tmp_path / "other.db")
    first = create_app(settings, state=state, store=store).server.test_client()
    second = create_app(settings, state=state, store=other_store).server.test_client()
    for client, expected in ((first, "9"), (second, "0")):
        sign_in(client, "ana")
        answer = dash_call(
            client,
            [
                (i, p)
                for i, p in [
                    ("overview-stats", "children"),
                    ("overview-recent", "children"),
                    ("overview-timeline", "figure"),
                    ("overview-by-level", "figure"),
                    ("overview-by-status", "figure"),
                    ("overview-by-engine", "figure"),
                    ("overview-datasets", "figure"),
                    ("overview-sources", "children"),
                    ("overview-problems", "children"),
                ]
            ],
            [
                ("overview-window", "value", "24h"),
                ("overview-refresh", "n_clicks", 0),
                ("overview-tick", "n_intervals", None),
            ],
            [("shell-context", "data", {"lang": "vi"})],
        )
        stats = answer.json["response"]["overview-stats"]["children"]
        assert stats[3]["props"]["children"][0]["props"]["children"] == expected
    other_store.close()


def test_remembered_values_expire_and_failures_are_not_kept(app: Any) -> None:
    context = app.server.extensions["soc_console"]
    calls: list[int] = []

    def compute() -> int:
        calls.append(1)
        return len(calls)

    assert context.remembered("k", 60, compute) == 1
    assert context.remembered("k", 60, compute) == 1
    assert context.remembered("k", 0, compute) == 2

    def fail() -> int:
        raise RuntimeError("store down")

    with pytest.raises(RuntimeError):
        context.remembered("other", 60, fail)
    assert context.remembered("other", 60, compute) == 3


def test_every_callback_output_belongs_to_a_page_with_a_permission(
    client: FlaskClient, app: Any
) -> None:
    from soc_dashboard.auth import callback_component_ids
    from soc_dashboard.roles import permission_for_component

    sign_in(client, "ana")
    client.get("/_dash-dependencies")  # Dash registers its router's callbacks on first use
    callbacks: list[dict[str, Any]] = client.get("/_dash-dependencies").json or []
    assert len(callbacks) > 8
    for callback in callbacks:
        outputs = [
            {"id": json.loads(part) if part.startswith("{") else part}
            for part in _output_ids(callback["output"])
        ]
        for component in callback_component_ids({"outputs": outputs}):
            permission_for_component(component)  # raises for ids no page owns


def _output_ids(output: str) -> list[str]:
    """``..a.children...b.data..`` or ``a.children`` → the component ids ``a``, ``b``."""
    parts = output.strip(".").split("...") if output.startswith("..") else [output]
    return [part.rsplit(".", 1)[0] for part in parts]


def test_importing_the_console_does_nothing(tmp_path: Path) -> None:
    import subprocess
    import sys

    code = "import dash, soc_dashboard.app, soc_dashboard.cli; print(len(dash.page_registry))"
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=True,
        env={"PYTHONPATH": str(Path(__file__).resolve().parents[2]), "SOC_HOME": str(tmp_path)},
    )
    assert done.stdout.strip() == "0"
    assert list(tmp_path.iterdir()) == []  # no secrets, no databases
