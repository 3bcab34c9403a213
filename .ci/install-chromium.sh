#!/usr/bin/env bash
# Install headless Chromium and its driver (Debian packages) for the browser tests, if missing.
# Needs root or sudo; without either the browser tests skip and say why.
set -uo pipefail
if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" = "0" ]; then SUDO=""; elif command -v sudo >/dev/null 2>&1; then SUDO="sudo -n"; else
  echo "install-chromium: not root and no sudo; browser tests will be skipped" >&2; exit 0; fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-chromium: no apt-get; install Chromium yourself to run the browser tests" >&2; exit 0; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null && $SUDO apt-get install -y -qq --no-install-recommends chromium chromium-driver >/dev/null \
  || echo "install-chromium: apt-get failed; browser tests will be skipped" >&2
exit 0
