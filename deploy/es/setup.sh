#!/bin/bash
# After the cluster is up: sets the kibana_system password and creates the soc API keys, one per
# job, each with only the privileges it needs. Keys are written to /secrets/es-<job>.env
# (deploy/secrets, git-ignored) and never printed; an existing key file is kept.
set -euo pipefail
es=https://es01:9200
ca=/usr/share/elasticsearch/config/certs/ca/ca.crt
prefix=${SOC_INDEX_PREFIX:-logs-soc}

api() {  # METHOD PATH [JSON]
    curl --silent --show-error --fail --cacert "$ca" -u "elastic:${ELASTIC_PASSWORD}" \
        -H 'Content-Type: application/json' -X "$1" "$es$2" ${3:+-d "$3"}
}

until api GET "/_cluster/health?wait_for_status=yellow&timeout=30s" > /dev/null 2>&1; do
    echo "waiting for Elasticsearch"; sleep 5
done

api POST /_security/user/kibana_system/_password "{\"password\":\"${KIBANA_PASSWORD}\"}" > /dev/null

events="\"${prefix}-events-*\",\"${prefix}-deadletter\""
# soc-admin installs the ILM policy, the index templates and the dead-letter index.
admin="{\"cluster\":[\"manage_ilm\",\"manage_index_templates\",\"monitor\"],
  \"indices\":[{\"names\":[\"${prefix}-*\"],\"privileges\":[\"all\"]}]}"
# soc-ingest (soc up: pipeline and console) writes new events (create only, never overwrite),
# creates the next daily index, and reads.
ingest="{\"indices\":[{\"names\":[${events}],
  \"privileges\":[\"create_doc\",\"create_index\",\"read\",\"view_index_metadata\"]}]}"
# soc-read (a console on its own, analysts' tools) only reads.
read="{\"indices\":[{\"names\":[${events}],\"privileges\":[\"read\",\"view_index_metadata\"]}]}"

make_key() {  # JOB ROLE_DESCRIPTOR
    local file="/secrets/es-$1.env"
    if [ -s "$file" ]; then echo "kept $file"; return; fi
    local reply encoded
    reply=$(api POST /_security/api_key \
        "{\"name\":\"soc-$1\",\"role_descriptors\":{\"soc_$1\":$2}}")
    encoded=$(printf '%s' "$reply" | grep -o '"encoded":"[^"]*"' | cut -d'"' -f4)
    [ -n "$encoded" ] || { echo "no API key returned for soc-$1" >&2; exit 1; }
    (umask 077; printf 'SOC_ES_API_KEY=%s\n' "$encoded" > "$file")
    chown 10001 "$file"  # the soc user of deploy/Dockerfile; no one else needs it
    echo "wrote $file"
}

make_key admin "$admin"
make_key ingest "$ingest"
make_key read "$read"
