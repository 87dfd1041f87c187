#!/usr/bin/env bash
# Installs what bonafide needs to build and test, on Debian 12, as root. Idempotent:
# packages already present are skipped, npm ci runs only when node_modules is stale.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  build-essential cmake ninja-build pkg-config
  clang libclang-rt-dev
  libssl-dev nlohmann-json3-dev libsimdjson-dev zlib1g-dev
  googletest libgtest-dev libgmock-dev libbenchmark-dev
  libcli11-dev libspdlog-dev libfmt-dev
  libcbor-dev
  # issuance services and storage (issue 4): HTTP, SQLite, PostgreSQL (libpq + a server the tests
  # start on loopback), Argon2id (libsodium), QR codes (libqrencode + libpng)
  libsqlite3-dev libpq-dev postgresql libsodium-dev libqrencode-dev libpng-dev
  # the HTTP server and client (src/http): Boost.Beast and Boost.Asio, header-only
  libboost1.81-dev
  # the programs' allocator (src/cli/allocator.cc)
  libjemalloc-dev
  # test oracles for the QR codes (tests/qr): zbarimg decodes PNG, rsvg-convert renders SVG
  zbar-tools librsvg2-bin
  # the web front ends (issue 6): check record PDFs with libharu and the DejaVu fonts (Unicode, for
  # Welsh), pdftotext to read them back in tests, and Chromium for the browser tests
  libhpdf-dev fonts-dejavu-core poppler-utils chromium
)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
# Node.js may come from NodeSource (which bundles npm); take Debian's only when absent.
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# npm packages (pinned in package-lock.json): peers for the interop tests, govuk-frontend and sass
# for the web assets (web/build.mjs), playwright-core and axe-core for the browser tests.
if [ -f package-lock.json ]; then
  stamp=node_modules/.bonafide-lock-stamp
  if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
    echo "setup: npm ci"
    npm ci --no-audit --no-fund --loglevel=error
    cp package-lock.json "$stamp"
  fi
fi
echo "setup: ok"
