#!/usr/bin/env bash
# Debian packages the tests use: a real Secret Service (gnome-keyring on a private D-Bus), the
# headers keytar builds against, Chromium for the real-browser tests, python3 + requests for the
# client written the seed's way, redis-server for the login service (the tests start their own, on
# loopback), tinyproxy for the proxy tests and openssl for their throwaway CA, iproute2 (`ip`) to
# set up the network namespaces those tests make with util-linux's `unshare -rn`.
# Runs apt-get as root directly, or through sudo when run as another user.
set -euo pipefail
packages=(dbus gnome-keyring libsecret-1-dev chromium python3 python3-requests redis-server tinyproxy openssl iproute2 util-linux)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ "${#missing[@]}" -gt 0 ]; then
  as_root=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "Installing ${missing[*]} needs root: run this script as root, or install sudo." >&2; exit 1; }
    as_root=(sudo)
  fi
  "${as_root[@]}" apt-get update -q
  # Debian starts a service it installs (redis-server on port 6379, tinyproxy on 8888); this script starts nothing,
  # so service starts are refused for the install when no policy says otherwise.
  policy=${AUTHMACHINE_POLICY_RC:-/usr/sbin/policy-rc.d} # overridable for the test of this script
  own_policy=false
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | "${as_root[@]}" tee "$policy" >/dev/null && "${as_root[@]}" chmod 755 "$policy" && own_policy=true
  fi
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" || status=$?
  if [ "$own_policy" = true ]; then "${as_root[@]}" rm -f "$policy"; fi
  if [ -n "${status:-}" ]; then exit "$status"; fi
fi
