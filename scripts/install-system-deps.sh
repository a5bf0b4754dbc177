#!/usr/bin/env bash
# Debian packages the tests use: a real Secret Service (gnome-keyring on a private D-Bus), the
# headers keytar builds against, Chromium for the real-browser tests, python3 + requests for the
# seed's own script. Run as root (or with sudo).
set -euo pipefail
packages=(dbus gnome-keyring libsecret-1-dev chromium python3 python3-requests)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ "${#missing[@]}" -gt 0 ]; then
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
