#!/usr/bin/env bash
# Installs what the platform needs on Debian 12, idempotently: system packages with apt (as root),
# Python packages in ./.venv. Safe to run again: it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(python3-venv python3-dev postgresql chromium chromium-driver tcpdump tcpreplay
              fonts-dejavu-core make ca-certificates)
BACKPORTS_PACKAGES=(suricata)

missing_packages() {
  local p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || echo "$p"
  done
}

# The mirror is read from the machine's own apt sources, never written into the repository.
debian_mirror() {
  local f uri
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    uri=$(awk '/^URIs:/ {print $2}' "$f" | grep -v -- '-security' | grep -m1 'debian' || true)
    [ -n "$uri" ] && { echo "$uri"; return; }
  done
  if [ -f /etc/apt/sources.list ]; then
    awk '$1 == "deb" && $3 ~ /^bookworm$/ {print $2; exit}' /etc/apt/sources.list
  fi
}

enable_backports() {
  grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/ && return 0
  local mirror
  mirror=$(debian_mirror)
  [ -n "$mirror" ] || { echo "setup: cannot find a Debian mirror in apt's sources" >&2; exit 1; }
  printf 'Types: deb\nURIs: %s\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
    "$mirror" > /etc/apt/sources.list.d/soc-backports.sources
  APT_UPDATED=0
}

install_system_packages() {
  if [ "$(id -u)" != 0 ]; then
    echo "setup: not root, skipping system packages" >&2
    return 0
  fi
  APT_UPDATED=1
  enable_backports
  local main_missing bp_missing
  main_missing=$(missing_packages "${APT_PACKAGES[@]}")
  bp_missing=$(missing_packages "${BACKPORTS_PACKAGES[@]}")
  if [ -n "$main_missing$bp_missing" ] || [ "$APT_UPDATED" = 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    # shellcheck disable=SC2086
    [ -z "$main_missing" ] || apt-get install -y -q --no-install-recommends $main_missing
    # shellcheck disable=SC2086
    [ -z "$bp_missing" ] || apt-get install -y -q -t bookworm-backports $bp_missing
  fi
}

install_python_packages() {
  local py=${PYTHON:-python3}
  if [ ! -x .venv/bin/python ]; then
    "$py" -m venv .venv
  fi
  local stamp=.venv/.soc-installed
  if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    .venv/bin/python -m pip install -q --upgrade pip
    .venv/bin/python -m pip install -q -e '.[test]'
    touch "$stamp"
  fi
}

install_system_packages
install_python_packages
echo "setup: ready (.venv)"
