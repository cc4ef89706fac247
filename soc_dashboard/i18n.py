"""Console texts in Vietnamese (first) and English, and local-time formatting of timestamps."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from soc.errors import ConfigError
from soc_dashboard.i18n_records import RECORD_MESSAGES

LANGUAGES: Final = ("vi", "en")
DEFAULT_LANGUAGE: Final = "vi"

# key -> (Vietnamese, English). Enumerated values (status, level, ...) use "<kind>.<value>".
MESSAGES: Final[dict[str, tuple[str, str]]] = {
    "app.title": ("Giám sát an toàn thông tin", "Security monitoring"),
    "app.tagline": ("Trung tâm giám sát (SOC)", "Security operations centre (SOC)"),
    "nav.overview": ("Tổng quan", "Overview"),
    "nav.alerts": ("Cảnh báo", "Alerts"),
    "nav.events": ("Sự kiện", "Events"),
    "nav.compliance": ("Tuân thủ", "Compliance"),
    "nav.systems": ("Hệ thống", "Systems"),
    "nav.audit": ("Nhật ký thao tác", "Audit log"),
    "nav.label": ("Điều hướng chính", "Main navigation"),
    "shell.language": ("Ngôn ngữ", "Language"),
    "shell.timezone": ("Giờ hiển thị: {tz}", "Times shown in {tz}"),
    "shell.signed_in": ("Đăng nhập: {user} ({role})", "Signed in: {user} ({role})"),
    "shell.logout": ("Đăng xuất", "Sign out"),
    "shell.skip": ("Bỏ qua đến nội dung chính", "Skip to main content"),
    "login.title": ("Đăng nhập", "Sign in"),
    "login.username": ("Tên đăng nhập", "Username"),
    "login.password": ("Mật khẩu", "Password"),
    "login.submit": ("Đăng nhập", "Sign in"),
    "login.failed": (
        "Tên đăng nhập hoặc mật khẩu không đúng.",
        "Wrong username or password.",
    ),
    "login.throttled": (
        "Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau {minutes} phút.",
        "Too many failed sign-ins. Try again in {minutes} minutes.",
    ),
    "login.expired": (
        "Phiên làm việc đã hết hạn, vui lòng đăng nhập lại.",
        "Your session has ended; please sign in again.",
    ),
    "login.bad_form": (
        "Biểu mẫu đã hết hạn, vui lòng thử lại.",
        "The form expired; please try again.",
    ),
    "common.all": ("Tất cả", "All"),
    "common.refresh": ("Làm mới", "Refresh"),
    "common.none": ("Không có dữ liệu.", "No data."),
    "common.forbidden": (
        "Vai trò của bạn không được xem trang này.",
        "Your role may not view this page.",
    ),
    "common.not_found": ("Không tìm thấy trang.", "Page not found."),
    "common.unavailable": (
        "Không đọc được dữ liệu: {error}",
        "Could not read the data: {error}",
    ),
    "common.limited": (
        "Hiển thị {shown} dòng đầu tiên (giới hạn {limit}).",
        "Showing the first {shown} rows (limit {limit}).",
    ),
    "common.rows": ("{count} dòng", "{count} rows"),
    "common.window": ("Khoảng thời gian", "Time window"),
    "dropdown.select_all": ("Chọn tất cả", "Select all"),
    "dropdown.deselect_all": ("Bỏ chọn tất cả", "Deselect all"),
    "dropdown.selected_count": ("Đã chọn {num_selected}", "{num_selected} selected"),
    "dropdown.search": ("Tìm", "Search"),
    "dropdown.clear_search": ("Xóa tìm kiếm", "Clear search"),
    "dropdown.clear_selection": ("Bỏ lựa chọn", "Clear selection"),
    "dropdown.no_options_found": ("Không có lựa chọn phù hợp", "No matching option"),
    "window.1h": ("1 giờ qua", "Last hour"),
    "window.24h": ("24 giờ qua", "Last 24 hours"),
    "window.7d": ("7 ngày qua", "Last 7 days"),
    "window.30d": ("30 ngày qua", "Last 30 days"),
    "window.all": ("Toàn bộ", "All time"),
    "col.time": ("Thời điểm", "Time"),
    "col.last_seen": ("Lần gần nhất", "Last seen"),
    "col.first_seen": ("Lần đầu", "First seen"),
    "col.level": ("Mức độ", "Level"),
    "col.title": ("Quy tắc phát hiện", "Detection rule"),
    "col.rule_id": ("Mã quy tắc", "Rule id"),
    "col.engine": ("Công cụ", "Engine"),
    "col.status": ("Trạng thái", "Status"),
    "col.count": ("Số lần", "Count"),
    "col.system": ("Hệ thống", "System"),
    "col.source_ip": ("IP nguồn", "Source IP"),
    "col.destination_ip": ("IP đích", "Destination IP"),
    "col.host": ("Máy", "Host"),
    "col.user": ("Người dùng", "User"),
    "col.dataset": ("Nguồn dữ liệu", "Dataset"),
    "col.summary": ("Nội dung", "Summary"),
    "col.severity": ("Mức nghiêm trọng", "Severity"),
    "col.priority": ("Ưu tiên", "Priority"),
    "col.agency": ("Đơn vị", "Agency"),
    "col.id": ("Mã", "Id"),
    "col.name": ("Tên", "Name"),
    "col.zone": ("Vùng mạng", "Zone"),
    "col.security_level": ("Cấp độ", "Security level"),
    "col.hosting": ("Nơi đặt", "Hosting"),
    "col.ip_ranges": ("Dải IP", "IP ranges"),
    "col.hostnames": ("Tên máy / tên miền", "Hostnames / URLs"),
    "col.kind": ("Loại", "Kind"),
    "col.parent": ("Đơn vị cấp trên", "Parent"),
    "col.requirement": ("Yêu cầu", "Requirement"),
    "col.message": ("Nhận xét", "Finding"),
    "col.actor": ("Người thực hiện", "Actor"),
    "col.action": ("Thao tác", "Action"),
    "col.target": ("Đối tượng", "Target"),
    "col.details": ("Chi tiết", "Details"),
    "col.pass": ("Đạt", "Pass"),
    "col.fail": ("Không đạt", "Fail"),
    "col.unknown": ("Chưa rõ", "Unknown"),
    "overview.heading": ("Tổng quan tình hình", "Situation overview"),
    "overview.new_alerts": ("Cảnh báo mới chưa tiếp nhận", "New alerts not yet acknowledged"),
    "overview.open_high": ("Cảnh báo cao / nghiêm trọng đang mở", "Open high / critical alerts"),
    "overview.alerts_window": ("Cảnh báo ({window})", "Alerts ({window})"),
    "overview.events_window": ("Sự kiện ghi nhận ({window})", "Events received ({window})"),
    "overview.by_level": ("Cảnh báo theo mức độ", "Alerts by level"),
    "overview.by_status": ("Cảnh báo theo trạng thái", "Alerts by status"),
    "overview.by_engine": ("Cảnh báo theo công cụ phát hiện", "Alerts by detection engine"),
    "overview.by_dataset": ("Sự kiện theo nguồn dữ liệu", "Events by dataset"),
    "overview.top_sources": ("IP nguồn xuất hiện nhiều nhất", "Top source addresses"),
    "overview.timeline": ("Số cảnh báo theo giờ", "Alerts per hour"),
    "overview.recent": ("Cảnh báo gần đây cần xử lý", "Recent alerts to handle"),
    "overview.open_all": ("Xem tất cả cảnh báo", "See all alerts"),
    "alerts.heading": ("Cảnh báo", "Alerts"),
    "alerts.count": ("{count} cảnh báo", "Alerts shown: {count}"),
    "alerts.filters": ("Lọc cảnh báo", "Filter alerts"),
    "alerts.detail": ("Chi tiết cảnh báo", "Alert detail"),
    "alerts.pick": (
        "Chọn một cảnh báo trong bảng để xem chi tiết và xử lý.",
        "Select an alert in the table to see its detail and act on it.",
    ),
    "alerts.missing": ("Không tìm thấy cảnh báo #{id}.", "Alert #{id} was not found."),
    "alerts.entities": ("Đối tượng liên quan", "Entities"),
    "alerts.attack": ("MITRE ATT&CK", "MITRE ATT&CK"),
    "alerts.tactics": ("Chiến thuật", "Tactics"),
    "alerts.techniques": ("Kỹ thuật", "Techniques"),
    "alerts.events": ("Sự kiện khớp quy tắc", "Matched events"),
    "alerts.events_more": (
        "Hiển thị {shown}/{total} sự kiện.",
        "Showing {shown} of {total} events.",
    ),
    "alerts.events_missing": (
        "Không còn sự kiện gốc trong kho (có thể đã hết hạn lưu trữ).",
        "The original events are no longer in the store (retention may have expired).",
    ),
    "alerts.history": ("Lịch sử xử lý", "Handling history"),
    "alerts.actions": ("Xử lý", "Actions"),
    "alerts.note": ("Ghi chú (không bắt buộc)", "Note (optional)"),
    "alerts.read_only": (
        "Vai trò của bạn chỉ được xem, không được xử lý cảnh báo.",
        "Your role may view alerts but not change them.",
    ),
    "alerts.updated": ("Cảnh báo #{id}: {status}.", "Alert #{id}: {status}."),
    "alerts.refused": (
        "Không thực hiện được: {reason}",
        "Not done: {reason}",
    ),
    "alerts.bad_transition": (
        "cảnh báo đang ở trạng thái “{status}”",
        "the alert is already “{status}”",
    ),
    "alerts.not_permitted": (
        "vai trò của bạn không được xử lý cảnh báo",
        "your role may not change alerts",
    ),
    "action.acknowledge": ("Tiếp nhận", "Acknowledge"),
    "action.investigate": ("Bắt đầu xử lý", "Start handling"),
    "action.reopen": ("Mở lại", "Reopen"),
    "action.close": ("Đóng cảnh báo", "Close"),
    "action.false_positive": ("Cảnh báo giả", "False positive"),
    "events.heading": ("Tìm kiếm sự kiện", "Event search"),
    "events.text": ("Từ khóa", "Free text"),
    "events.text_hint": (
        "ví dụ: 192.168.1.10, sshd, /wp-login.php",
        "e.g. 192.168.1.10, sshd, /wp-login.php",
    ),
    "events.limit": ("Số dòng tối đa", "Row limit"),
    "events.search": ("Tìm kiếm", "Search"),
    "events.empty": ("Không tìm thấy sự kiện nào.", "No events found."),
    "events.detail": ("Sự kiện (JSON)", "Event (JSON)"),
    "events.pick": (
        "Chọn một sự kiện trong bảng để xem toàn bộ nội dung.",
        "Select an event in the table to see all its fields.",
    ),
    "compliance.heading": ("Đánh giá tuân thủ", "Compliance"),
    "compliance.empty": (
        "Chưa có kết quả đánh giá. Chạy lệnh “soc policy eval” để đánh giá.",
        "No evaluation yet. Run “soc policy eval” to evaluate.",
    ),
    "compliance.run": (
        "Lần đánh giá gần nhất: {time}, bộ yêu cầu {profile}.",
        "Latest evaluation: {time}, profile {profile}.",
    ),
    "compliance.summary": ("Tổng hợp theo hệ thống", "Summary per system"),
    "compliance.results": ("Kết quả theo yêu cầu", "Results per requirement"),
    "systems.heading": ("Danh mục hệ thống thông tin", "Information systems"),
    "systems.agencies": ("Cơ quan, đơn vị", "Agencies"),
    "systems.empty": (
        "Chưa có hệ thống nào. Nhập danh mục bằng lệnh “soc assets import”.",
        "No systems yet. Import the inventory with “soc assets import”.",
    ),
    "audit.heading": ("Nhật ký thao tác", "Audit log"),
    "status.new": ("Mới", "New"),
    "status.acknowledged": ("Đã tiếp nhận", "Acknowledged"),
    "status.in_progress": ("Đang xử lý", "In progress"),
    "status.closed": ("Đã đóng", "Closed"),
    "status.false_positive": ("Cảnh báo giả", "False positive"),
    "status.suppressed": ("Đã loại trừ", "Suppressed"),
    "level.informational": ("Thông tin", "Informational"),
    "level.low": ("Thấp", "Low"),
    "level.medium": ("Trung bình", "Medium"),
    "level.high": ("Cao", "High"),
    "level.critical": ("Nghiêm trọng", "Critical"),
    "engine.sigma": ("Sigma", "Sigma"),
    "engine.suricata": ("Suricata (IDS)", "Suricata (IDS)"),
    "engine.yara": ("YARA", "YARA"),
    "engine.compliance": ("Tuân thủ", "Compliance"),
    "compliance_status.pass": ("Đạt", "Pass"),
    "compliance_status.fail": ("Không đạt", "Fail"),
    "compliance_status.not_applicable": ("Không áp dụng", "Not applicable"),
    "compliance_status.unknown": ("Chưa có bằng chứng", "No evidence"),
    "profile.legacy": ("cũ (NĐ 85/2016)", "legacy (Decree 85/2016)"),
    "profile.current": ("hiện hành (Luật 116/2025)", "current (Law 116/2025)"),
    "zone.datacenter": ("Trung tâm dữ liệu", "Data centre"),
    "zone.man": ("Mạng đô thị (MAN)", "Metropolitan network (MAN)"),
    "zone.egov": ("Chính quyền điện tử", "E-government"),
    "zone.party": ("Mạng diện rộng của Đảng", "Party network"),
    "zone.ot": ("Hệ thống điều khiển (OT)", "Operational technology"),
    "zone.lab": ("Môi trường diễn tập", "Lab range"),
    "zone.external": ("Bên ngoài", "External"),
    "entity.host": ("Máy", "Host"),
    "entity.user": ("Tài khoản", "User"),
    "entity.source_ip": ("IP nguồn", "Source IP"),
    "entity.destination_ip": ("IP đích", "Destination IP"),
    "entity.system": ("Hệ thống", "System"),
    "entity.agency": ("Đơn vị", "Agency"),
    "entity.file": ("Tệp", "File"),
    "role.admin": ("Quản trị viên", "Administrator"),
    "role.analyst": ("Chuyên viên phân tích", "Analyst"),
    "role.auditor": ("Kiểm tra tuân thủ", "Compliance auditor"),
    "role.drill_leader": ("Chỉ huy diễn tập", "Drill leader"),
    **RECORD_MESSAGES,
}


def normalise_language(value: object) -> str:
    return value if isinstance(value, str) and value in LANGUAGES else DEFAULT_LANGUAGE


def t(key: str, lang: str, **values: object) -> str:
    """The text for ``key`` in ``lang``; an unknown key shows itself (a visible gap, no crash)."""
    pair = MESSAGES.get(key)
    if pair is None:
        return key
    text = pair[0] if lang != "en" else pair[1]
    return text.format(**values) if values else text


def label(kind: str, value: str | None, lang: str) -> str:
    """Human label of an enumerated value (``label("status", "new", "vi")``); unknown → as is."""
    if value is None:
        return ""
    key = f"{kind}.{value}"
    return t(key, lang) if key in MESSAGES else value


def zone_of(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as e:
        raise ConfigError(
            f"unknown time zone {name!r}", hint="use an IANA name such as Asia/Ho_Chi_Minh"
        ) from e


def format_time(moment: datetime | None, tz: ZoneInfo, lang: str, *, seconds: bool = True) -> str:
    """A time in the console's zone: ``dd/mm/yyyy HH:MM:SS`` in Vietnamese, ISO-like in English.

    Naive datetimes are UTC (SQLite returns them naive even for timezone-aware columns).
    """
    if moment is None:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    local = moment.astimezone(tz)
    clock = "%H:%M:%S" if seconds else "%H:%M"
    return local.strftime(f"%d/%m/%Y {clock}" if lang != "en" else f"%Y-%m-%d {clock}")


def utc_offset_label(tz: ZoneInfo, now: datetime) -> str:
    """``Asia/Ho_Chi_Minh (GMT+07:00)`` for the header."""
    offset = now.astimezone(tz).strftime("%z")
    return f"{tz.key} (GMT{offset[:3]}:{offset[3:]})"
