#!/usr/bin/env bash
# Runs the whole test suite the way CI does: build, then ava inside a private D-Bus session with
# an unlocked gnome-keyring (a real Secret Service for keytar). Ends with "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."

if [ -z "${AUTHMACHINE_IN_TEST_BUS:-}" ]; then
  for tool in dbus-run-session gnome-keyring-daemon /usr/bin/chromium python3; do
    command -v "$tool" >/dev/null || { echo "missing $tool: run 'bash scripts/install-system-deps.sh' first" >&2; exit 2; }
  done
  npm run build --silent || { echo "0 passed, 1 failed"; exit 1; }
  AUTHMACHINE_IN_TEST_BUS=1 exec dbus-run-session -- bash "$0" "$@"
fi

# Inside the private bus: start and unlock a throwaway keyring (password "pw", this session only).
export XDG_DATA_HOME="$(mktemp -d)"
echo -n pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
npx ava "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

echo
node scripts/ava-summary.mjs "$log" "$status"
exit "$status"
