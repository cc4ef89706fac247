"""The systems, evidence and compliance pages over HTTP: who sees the forms, forged edits refused
by the gate, saving and uploading end to end, the size limit of callbacks."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from soc.state.db import StateDB
from soc.state.models import AuditEntry, ComplianceResult, System
from soc_dashboard.editor import EditorIds, editor_ids
from soc_dashboard.forms import GENERAL, error_id, field_id, form_values
from soc_dashboard.transfer_parts import TransferIds, transfer_ids
from soc_dashboard.views.records import AGENCY, SYSTEM, RecordKind
from tests.soc_dashboard.conftest import dash_call, seed_compliance, seed_inventory, sign_in
from tests.soc_dashboard.test_forms import data_url
from tests.soc_dashboard.test_pages import route

# The pages' own ids (the page modules register themselves with Dash when imported).
SYSTEMS = editor_ids("systems-sys")
SYSTEM_FILES = transfer_ids("systems")
EVIDENCE_FILES = transfer_ids("evidence")


def editor_call(
    client: FlaskClient,
    ids: EditorIds,
    kind: RecordKind,
    trigger: str,
    values: dict[str, Any],
    mode: Any,
    lang: str = "vi",
) -> Any:
    names = [f.name for f in kind.fields]
    outputs = [(field_id(ids.prefix, n), "value") for n in names]
    outputs += [(error_id(ids.prefix, n), "children") for n in [*names, GENERAL]]
    outputs += [
        (ids.mode, "data"),
        (ids.section, "hidden"),
        (field_id(ids.prefix, "id"), "disabled"),
        (ids.title, "children"),
        (ids.delete_wrap, "hidden"),
        (ids.result, "children"),
        (ids.version, "data"),
    ]
    inputs = [
        (ids.new, "n_clicks", 1 if trigger == ids.new else 0),
        (ids.opened, "data", None),
        (ids.save, "n_clicks", 1 if trigger == ids.save else 0),
        (ids.delete, "submit_n_clicks", 1 if trigger == ids.delete else 0),
        (ids.cancel, "n_clicks", 0),
    ]
    prop = "submit_n_clicks" if trigger == ids.delete else "n_clicks"
    state = [(field_id(ids.prefix, n), "value", values.get(n)) for n in names]
    state += [(ids.mode, "data", mode), (ids.version, "data", 0)]
    state += [("shell-context", "data", {"lang": lang})]
    return dash_call(client, outputs, inputs, state, changed=[f"{trigger}.{prop}"])


def portal_form(**changes: Any) -> dict[str, Any]:
    values = form_values(SYSTEM.fields, None)
    values.update(SYSTEM.defaults)
    values.update(
        {
            "id": "dng-hanhchinh",
            "name": "Hệ thống quản lý hành chính",
            "owner": "dng-stttt",
            "classification.system_type": "internal",
        }
    )
    values.update(changes)
    return values


def upload_call(client: FlaskClient, files: TransferIds, contents: str, filename: str) -> Any:
    return dash_call(
        client,
        [(files.result, "children"), (files.version, "data")],
        [(files.upload, "contents", contents)],
        [
            (files.upload, "filename", filename),
            (files.version, "data", 0),
            ("shell-context", "data", {"lang": "vi"}),
        ],
        changed=[f"{files.upload}.contents"],
    )


@pytest.mark.parametrize(
    ("user", "path", "shown", "absent"),
    [
        ("boss", "/systems", "Thêm hệ thống", "chỉ được xem danh mục"),
        ("audi", "/systems", "chỉ được xem danh mục", "10.10.1.0/24 ZZZ"),
        ("ana", "/evidence", "chỉ được xem bằng chứng", "ZZZ"),
        ("audi", "/evidence", "Bằng chứng tuân thủ", "ZZZ"),
        ("boss", "/evidence", "Thêm bằng chứng", "chỉ được xem bằng chứng"),
        ("drill", "/evidence", "không được xem", "Thêm bằng chứng"),
        ("audi", "/compliance", "Thay đổi so với lần đánh giá trước", "ZZZ"),
    ],
)
def test_pages_and_forms_follow_the_role(
    client: FlaskClient, state: StateDB, user: str, path: str, shown: str, absent: str
) -> None:
    seed_inventory(state)
    seed_compliance(state)
    sign_in(client, user)
    page = route(client, path)
    assert shown in page and absent not in page


def test_only_editors_get_open_buttons_in_the_table(client: FlaskClient, state: StateDB) -> None:
    seed_inventory(state)
    sign_in(client, "audi")
    assert f'"{SYSTEMS.open}"' not in route(client, "/systems")
    client.post("/logout")
    sign_in(client, "boss")
    assert f'"{SYSTEMS.open}"' in route(client, "/systems")


@pytest.mark.parametrize("user", ["ana", "audi", "drill"])
def test_forged_edits_and_uploads_are_refused_by_the_gate(
    client: FlaskClient, state: StateDB, user: str
) -> None:
    seed_inventory(state)
    sign_in(client, user)
    saved = editor_call(client, SYSTEMS, SYSTEM, SYSTEMS.save, portal_form(), {"key": None})
    deleted = editor_call(client, SYSTEMS, SYSTEM, SYSTEMS.delete, {}, {"key": "dng-portal"})
    uploaded = upload_call(client, EVIDENCE_FILES, data_url(b"evidence: []"), "e.yaml")
    assert (saved.status_code, deleted.status_code, uploaded.status_code) == (403, 403, 403)
    with state.session() as s:
        assert s.get(System, "dng-hanhchinh") is None and s.get(System, "dng-portal") is not None
        assert list(s.scalars(select(AuditEntry).where(AuditEntry.action != "login"))) == []


def test_admin_saves_over_http_with_errors_first(client: FlaskClient, state: StateDB) -> None:
    seed_inventory(state)
    sign_in(client, "boss")
    bad = editor_call(
        client,
        SYSTEMS,
        SYSTEM,
        SYSTEMS.save,
        portal_form(hostnames="ok.gov.vn\nbad host"),
        {"key": None},
    )
    answer = bad.json["response"]
    assert "dòng 2: not a host name" in answer[error_id(SYSTEMS.prefix, "hostnames")]["children"]
    assert "Chưa lưu" in json.dumps(answer[SYSTEMS.result], ensure_ascii=False)
    good = editor_call(client, SYSTEMS, SYSTEM, SYSTEMS.save, portal_form(), {"key": None}).json
    response = good["response"]
    assert response[SYSTEMS.mode]["data"] == {"key": "dng-hanhchinh"}
    assert response[SYSTEMS.version]["data"] == 1
    assert response[field_id(SYSTEMS.prefix, "id")]["disabled"] is True
    with state.session() as s:
        assert s.get(System, "dng-hanhchinh") is not None
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "system.create")).one()
        assert entry.actor == "boss" and entry.target == "system:dng-hanhchinh"


def test_admin_upload_lists_problems_and_imports_nothing(
    client: FlaskClient, state: StateDB
) -> None:
    sign_in(client, "boss")
    text = (
        "record,id,name,owner,zone,class.system_type\n"
        "agency,a1,Sở A,,,\n"
        "system,s1,Hệ thống,a2,egov,internal\n"
    )
    answer = upload_call(client, SYSTEM_FILES, data_url(text.encode(), "text/csv"), "kho.csv")
    shown = json.dumps(answer.json["response"], ensure_ascii=False)
    assert "Tệp có 1 lỗi, chưa nhập gì" in shown and "Dòng 3: unknown agency 'a2'" in shown
    assert answer.json["response"][SYSTEM_FILES.version]["data"] == 0
    with state.session() as s:
        assert s.scalars(select(System)).first() is None


def test_large_callbacks_only_for_roles_that_import(client: FlaskClient) -> None:
    sign_in(client, "ana")
    big = data_url(b"a" * 1_200_000)
    assert upload_call(client, SYSTEM_FILES, big, "big.yaml").status_code == 413
    client.post("/logout")
    sign_in(client, "boss")
    answer = upload_call(client, SYSTEM_FILES, big, "big.yaml")
    assert answer.status_code == 200
    assert "chưa nhập gì" in json.dumps(answer.json, ensure_ascii=False)


def test_every_page_has_unique_component_ids(client: FlaskClient, app: Any, state: StateDB) -> None:
    seed_inventory(state)
    sign_in(client, "boss")
    client.get("/_dash-layout")
    ids: Counter[str] = Counter()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            props = node.get("props", node)
            if isinstance(props.get("id"), str) and "props" in node:
                ids[props["id"]] += 1
            for value in props.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(json.loads(json.dumps(app.validation_layout.to_plotly_json(), default=_plain)))
    assert [name for name, n in ids.items() if n > 1] == []
    for component in (SYSTEMS.save, field_id("evidence-rec", "title"), "evidence-rec-title"):
        assert ids[component] == 1


def _plain(value: Any) -> Any:
    return value.to_plotly_json() if hasattr(value, "to_plotly_json") else str(value)


def test_compliance_page_lists_what_changed(client: FlaskClient, state: StateDB) -> None:
    seed_inventory(state)
    seed_compliance(state)
    with state.session() as s:
        s.add(
            ComplianceResult(
                run_id="run-2",
                profile="current",
                system_id="dng-portal",
                requirement_id="log.central",
                status="pass",
                message_vi="Nhật ký đã tập trung",
                message_en="Logs are central",
            )
        )
    sign_in(client, "audi")
    page = route(client, "/compliance")
    assert "1 yêu cầu đổi trạng thái (0 xấu đi, 1 tốt lên)" in page
    assert "Nhật ký đã tập trung" in page and "badge status-pass" in page
    assert "Span(" not in page  # components, not their text


def test_tables_and_agency_choices_follow_a_saved_agency(
    client: FlaskClient, state: StateDB
) -> None:
    seed_inventory(state)
    sign_in(client, "boss")
    agencies = editor_ids("systems-agency")
    values = {"id": "dng-skhcn", "name": "Sở Khoa học và Công nghệ", "kind": "department"}
    saved = editor_call(client, agencies, AGENCY, agencies.save, values, {"key": None}).json
    assert saved["response"][agencies.version]["data"] == 1
    choices = [
        (field_id(SYSTEMS.prefix, "owner"), "options"),
        (field_id(SYSTEMS.prefix, "operator"), "options"),
        (field_id(agencies.prefix, "parent"), "options"),
    ]
    answer = dash_call(
        client,
        [
            ("systems-table", "children"),
            ("systems-agencies", "children"),
            ("systems-count", "children"),
            *choices,
        ],
        [
            (SYSTEMS.version, "data", 0),
            (agencies.version, "data", 1),
            (SYSTEM_FILES.version, "data", 0),
        ],
        [("shell-context", "data", {"lang": "vi"})],
        changed=[f"{agencies.version}.data"],
    ).json["response"]
    assert "Sở Khoa học và Công nghệ" in json.dumps(answer["systems-agencies"], ensure_ascii=False)
    owners = answer[field_id(SYSTEMS.prefix, "owner")]["options"]
    assert [o["value"] for o in owners] == ["dng-skhcn", "dng-stttt"]
    assert owners[0]["label"] == "dng-skhcn — Sở Khoa học và Công nghệ"
