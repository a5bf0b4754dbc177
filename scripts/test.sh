#!/usr/bin/env bash
# Runs the whole test suite the way CI does: build, then ava inside a private D-Bus session with
# an unlocked gnome-keyring (a real Secret Service for keytar). Ends with "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."

if [ -z "${AUTHMACHINE_IN_TEST_BUS:-}" ]; then
  for tool in dbus-run-session gnome-keyring-daemon /usr/bin/chromium python3; do
    command -v "$tool" >/dev/null || { echo "missing $tool: run 'sudo bash scripts/install-system-deps.sh' first" >&2; exit 2; }
  done
  npm run build --silent || { echo "0 passed, 1 failed"; exit 1; }
  AUTHMACHINE_IN_TEST_BUS=1 exec dbus-run-session -- bash "$0" "$@"
fi

# Inside the private bus: start and unlock a throwaway keyring (password "pw", this session only).
export XDG_DATA_HOME="$(mktemp -d)"
echo -n pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1

log="$(mktemp)"
npx ava "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# ava's summary lines, e.g. "  42 tests passed" / "  1 test failed" / "  2 uncaught exceptions".
count() { grep -Eo "^ *[0-9]+ $1" "$log" | grep -Eo '[0-9]+' | tail -n 1; }
passed=$(count 'tests? passed'); passed=${passed:-0}
failed=$(count 'tests? failed'); failed=${failed:-0}
for extra in 'uncaught exceptions?' 'unhandled rejections?' 'tests? remained uncompleted' 'known failures?' 'tests? skipped' 'tests? todo'; do
  n=$(count "$extra"); failed=$((failed + ${n:-0}))
done
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
echo
echo "$passed passed, $failed failed"
exit "$status"
