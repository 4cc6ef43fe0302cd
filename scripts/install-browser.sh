#!/usr/bin/env bash
# Installs what the widget's browser test (tests/browser/widget.mjs, run by the API test
# the_widget_holds_two_seats_and_a_second_browser_sees_them_within_a_second) needs:
# Debian's Chromium at /usr/bin/chromium and playwright-core from tests/browser/package-lock.json.
# playwright-core downloads no browser of its own; the test drives the system's Chromium.
# Safe to run again: each step is skipped when its result is already there (npm ci always
# reinstalls from the lock file, which is quick for one package).
#
#   scripts/install-browser.sh
#
# Needs Debian or Ubuntu (apt-get), root or sudo for the package, and Node 20 or newer with npm.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ -x /usr/bin/chromium ]]; then
    echo "chromium: already installed ($(/usr/bin/chromium --version 2>/dev/null || echo 'version unknown'))"
else
    # Not root: ask sudo for the two apt-get calls only.
    sudo=()
    if [[ $(id -u) -ne 0 ]]; then
        sudo=(sudo)
    fi
    "${sudo[@]}" apt-get update
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium
fi

if ! command -v npm >/dev/null; then
    echo "npm is missing: install Node 20 or newer (apt-get install nodejs npm)" >&2
    exit 1
fi
# npm ci installs exactly the lock file's versions into tests/browser/node_modules (ignored by git).
(cd tests/browser && npm ci --no-audit --no-fund)
echo "ready: cargo test --test api the_widget_holds_two_seats"
