#!/usr/bin/env bash
# Installs the Debian packages policypack needs, only those that are missing.
# Usage: scripts/system-deps.sh [--with-test-tools]
# Fast when everything is present (one dpkg-query). On systems without apt-get it
# checks for the programs and says what to install instead of failing silently.
set -euo pipefail

# fonts-open-sans: the one font dot measures and WeasyPrint draws charts and documents with.
# librsvg2-bin: rsvg-convert draws the charts as 300 dpi pictures for the Word files.
runtime=(graphviz libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-open-sans fonts-dejavu-core fonts-dejavu-extra librsvg2-bin)
# chromium: the web page's browser test (Playwright drives this one; it never downloads a browser);
# libreoffice-writer-nogui: lays out the Word files as Word users see them;
# npm (unless a Node.js install already brings it): installs the pinned axe-core;
# postgresql: the portal's tests start a server of their own in a temporary folder.
testing=(poppler-utils qpdf fontconfig chromium libreoffice-writer-nogui postgresql)
wanted=("${runtime[@]}")
if [[ "${1:-}" == "--with-test-tools" ]]; then
    wanted+=("${testing[@]}")
    command -v npm >/dev/null 2>&1 || wanted+=(npm)
fi
# Debian splits venv/ensurepip out of python3; only needed when this python lacks it.
python3 -c 'import ensurepip, venv' 2>/dev/null || wanted+=(python3-venv)

if ! command -v apt-get >/dev/null 2>&1; then
    for tool in dot; do
        command -v "$tool" >/dev/null || { echo "policypack needs Graphviz ('$tool'); on macOS: brew install graphviz pango" >&2; exit 3; }
    done
    exit 0
fi

missing=()
for pkg in "${wanted[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
    [[ "$status" == "install ok installed" ]] || missing+=("$pkg")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

echo "Installing Debian packages: ${missing[*]}" >&2
sudo=()
if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || { echo "Run as root, or install: apt-get install ${missing[*]}" >&2; exit 3; }
    sudo=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
