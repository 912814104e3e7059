#!/usr/bin/env bash
# Makes sure Debian's Chromium is at /usr/bin/chromium for the browser tests
# (the status page is rendered in headless Chromium). Idempotent: when it is
# already there this prints nothing and exits 0. Playwright's own browser
# download does not work on these machines, so the distribution package is used.
set -euo pipefail

CHROMIUM=/usr/bin/chromium
if [ -x "$CHROMIUM" ]; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO="sudo -n"
  else
    echo "ensure-chromium: $CHROMIUM is missing and this user cannot run apt-get (not root, no sudo)" >&2
    exit 1
  fi
fi

echo "ensure-chromium: installing Debian's chromium package" >&2
export DEBIAN_FRONTEND=noninteractive
# A lock held by another apt run is waited for rather than failed on.
APT_OPTS=(-q -o DPkg::Lock::Timeout=300)
$SUDO apt-get "${APT_OPTS[@]}" update >/dev/null
$SUDO apt-get "${APT_OPTS[@]}" install -y --no-install-recommends chromium >/dev/null

if [ ! -x "$CHROMIUM" ]; then
  echo "ensure-chromium: apt-get finished but $CHROMIUM is still missing" >&2
  exit 1
fi
"$CHROMIUM" --version >&2
