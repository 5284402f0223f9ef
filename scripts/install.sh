#!/usr/bin/env bash
# Install everything the project needs on a fresh machine, then nothing more.
#   - system packages (a CJK font for printed sheets; Debian's chromium for the browser tests) when we are
#     root on Debian/Ubuntu and they are missing;
#   - uv, from PyPI, when it is not on the machine;
#   - the locked Python environment in .venv (uv.lock; no Python download: the machine's python3).
# Safe to run again: every step is skipped when already done.
set -euo pipefail
cd "$(dirname "$0")/.."

SYSTEM_PACKAGES=(fonts-wqy-microhei poppler-utils chromium)

missing=()
if command -v dpkg-query >/dev/null 2>&1; then
  for pkg in "${SYSTEM_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
fi
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "install: system packages ${missing[*]}"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "install: please install these system packages yourself: ${missing[*]}" >&2
  fi
fi

PYTHON=${PYTHON:-python3}
if ! "$PYTHON" -m uv --version >/dev/null 2>&1; then
  echo "install: uv (from PyPI)"
  "$PYTHON" -m pip install --quiet --disable-pip-version-check uv
fi
# Trust the operating system's certificate store (where a company or sandbox proxy puts its CA),
# not only uv's bundled one. UV_NATIVE_TLS is the older uv's name for the same switch.
export UV_SYSTEM_CERTS=${UV_SYSTEM_CERTS:-1} UV_NATIVE_TLS=${UV_NATIVE_TLS:-1}
"$PYTHON" -m uv sync --locked --quiet
