#!/bin/bash
# Creates the deployment's CA and one certificate per component (idempotent), with file
# permissions each server accepts. Runs once, as root, in the Elasticsearch image.
set -euo pipefail
cd /usr/share/elasticsearch
certs=config/certs

if [ ! -f "$certs/ca/ca.crt" ]; then
    bin/elasticsearch-certutil ca --silent --pem --out "$certs/ca.zip"
    unzip -o -q "$certs/ca.zip" -d "$certs"
fi
if [ ! -f "$certs/es01/es01.crt" ]; then
    cat > "$certs/instances.yml" <<'YAML'
instances:
  - {name: es01, dns: [es01, localhost], ip: [127.0.0.1]}
  - {name: es02, dns: [es02, localhost], ip: [127.0.0.1]}
  - {name: es03, dns: [es03, localhost], ip: [127.0.0.1]}
  - {name: kibana, dns: [kibana, localhost], ip: [127.0.0.1]}
  - {name: postgres, dns: [postgres, localhost], ip: [127.0.0.1]}
  - {name: opa, dns: [opa, localhost], ip: [127.0.0.1]}
YAML
    bin/elasticsearch-certutil cert --silent --pem --in "$certs/instances.yml" \
        --out "$certs/certs.zip" --ca-cert "$certs/ca/ca.crt" --ca-key "$certs/ca/ca.key"
    unzip -o -q "$certs/certs.zip" -d "$certs"
fi

chown -R root:root "$certs"
find "$certs" -type d -exec chmod 755 {} +
find "$certs" -type f -exec chmod 644 {} +
# Private keys: readable by group 0 (Elasticsearch, Kibana and OPA run with gid 0) ...
find "$certs" -type f -name '*.key' -exec chmod 640 {} +
chmod 600 "$certs/ca/ca.key"
# ... and PostgreSQL's by the postgres group of its image (a root-owned key may be 0640).
chgrp 999 "$certs/postgres/postgres.key"
rm -f "$certs/ca.zip" "$certs/certs.zip"
echo "certificates ready"
