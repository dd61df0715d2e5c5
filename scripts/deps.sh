#!/bin/sh
# deps.sh - install every Debian package bihuan's build and tests need.
# Idempotent: installs only what is missing, so it is cheap to run before
# every `make test` and `make run`.  Needs root (or sudo) only when
# something is missing.
set -eu

# Build: compiler, CMake + Ninja, the libraries.  Tests: cmocka, python3
# (black-box API tests, standard library only), clang + its runtime
# (libFuzzer, sanitizers).  Ledgers: libzip + expat (reading .xlsx),
# libxlsxwriter (writing it), python3-openpyxl (the tests read what we wrote
# with a reader of its own, run by Debian's /usr/bin/python3).  Web
# console: Node.js and npm (vite builds it; any Node >= 18 will do, Debian's
# or one already installed), chromium and CJK fonts for the browser tests.
# Open311: libxml2-utils (xmllint checks every XML answer); Perl's XML::Simple
# and LWP, the parser and HTTP client FixMyStreet's Open311 client is built
# on (tests/api/fms_client.pl drives bihuan with them).  Reports: cairo and
# pango (PDF and chart PNGs) with the Noto CJK fonts and AR PL KaitiM
# (楷体-style headings); the tests read the documents with Debian's own
# readers: python3-docx, LibreOffice (headless, converting .docx to PDF) and
# poppler-utils (pdftotext, pdfinfo).  Evidence: libvips (thumbnails, photos
# without their location) and libexif (when and where a photo was taken).
# Notifications: libcurl (webhooks, WeCom/DingTalk robots, SMTP); the tests
# receive them with python3's own HTTP and SMTP servers.
# Benchmarks: wrk.
PACKAGES="
build-essential
cmake
ninja-build
pkg-config
python3
libjansson-dev
libsqlite3-dev
libmicrohttpd-dev
libsodium-dev
libgeos-dev
libcmocka-dev
libzip-dev
libexpat1-dev
libxlsxwriter-dev
python3-openpyxl
libxml2-utils
libxml-simple-perl
libwww-perl
libcairo2-dev
libpango1.0-dev
libvips-dev
libexif-dev
libcurl4-openssl-dev
fonts-arphic-ukai
python3-docx
poppler-utils
libreoffice-writer-nogui
chromium
fonts-noto-cjk
clang
libclang-rt-14-dev
wrk
"

# Node.js: keep one that is already installed (e.g. from NodeSource, which
# bundles npm); otherwise Debian's nodejs and npm.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    PACKAGES="$PACKAGES nodejs npm"
fi

missing=""
for p in $PACKAGES; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done

if [ -z "$missing" ]; then
    echo "deps: all $(echo $PACKAGES | wc -w) Debian packages present"
    exit 0
fi

SUDO=""
if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO="sudo"
    else
        echo "deps: missing packages:$missing" >&2
        echo "deps: run as root, or install them with apt-get" >&2
        exit 1
    fi
fi
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing
