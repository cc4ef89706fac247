"""The inventory (agencies, information systems) and declared evidence: typed, validated, and moved
between YAML/CSV files and the state database, every error reported with its file and line."""

from soc.inventory.files import (
    CLASS_PREFIX,
    SYSTEM_LISTS,
    Loc,
    dump_evidence,
    dump_inventory,
    line_of,
    load_evidence,
    load_inventory,
    read_text,
    read_yaml_lines,
)
from soc.inventory.model import (
    LOCAL_TZ,
    MAX_FILE_BYTES,
    MAX_LIST,
    MAX_RECORDS,
    AgencyKind,
    AgencyRecord,
    Cidr,
    Classification,
    Dataset,
    EvidenceFile,
    EvidenceKind,
    EvidenceRecord,
    ExchangeRecord,
    Function,
    Harm,
    HostName,
    IcsGrade,
    Id,
    InfoType,
    InfraScope,
    InternetLink,
    Inventory,
    InventoryErrors,
    SystemRecord,
    SystemType,
    Text,
    Url,
    Zone,
)
from soc.inventory.state import (
    import_evidence,
    import_inventory,
    read_evidence,
    read_inventory,
    system_attributes,
    system_record,
)

__all__ = [
    "CLASS_PREFIX", "LOCAL_TZ", "MAX_FILE_BYTES", "MAX_LIST", "MAX_RECORDS", "SYSTEM_LISTS",
    "AgencyKind", "AgencyRecord", "Cidr", "Classification", "Dataset", "EvidenceFile",
    "EvidenceKind", "EvidenceRecord", "ExchangeRecord", "Function", "Harm", "HostName",
    "IcsGrade", "Id", "InfoType", "InfraScope", "InternetLink", "Inventory", "InventoryErrors",
    "Loc", "SystemRecord", "SystemType", "Text", "Url", "Zone", "dump_evidence",
    "dump_inventory", "import_evidence", "import_inventory", "line_of", "load_evidence",
    "load_inventory", "read_evidence", "read_inventory", "read_text", "read_yaml_lines",
    "system_attributes", "system_record",
]  # fmt: skip
