#!/bin/sh
# Trust the deployment's own CA (Elasticsearch, PostgreSQL, OPA) besides the system's public
# CAs (the national centre's TAXII server), load this job's API key, then run the command.
set -eu
bundle=/tmp/soc-ca-bundle.pem
cat /etc/ssl/certs/ca-certificates.crt > "$bundle"
if [ -f /certs/ca/ca.crt ]; then
    cat /certs/ca/ca.crt >> "$bundle"
fi
export SSL_CERT_FILE="$bundle" REQUESTS_CA_BUNDLE="$bundle"
# The Elasticsearch API key of this container's job, from the file es-setup wrote (read as
# data, not sourced as a script).
if [ -n "${SOC_ES_KEY_FILE:-}" ] && [ -r "$SOC_ES_KEY_FILE" ]; then
    SOC_ES_API_KEY=$(sed -n 's/^SOC_ES_API_KEY=//p' "$SOC_ES_KEY_FILE")
    export SOC_ES_API_KEY
fi
exec "$@"
