#!/usr/bin/env bash
# Installs what `reports` needs, and only what is missing; safe to run again.
#   scripts/setup.sh                system packages for building PDFs + .venv with the package (the base install:
#                                   check, build, handout, batch, weekly, draft, ...): make briefing
#   scripts/setup.sh --extra serve  the same, plus an extra of pyproject.toml (serve, celery, schedule; repeatable)
#   scripts/setup.sh --test         the same, plus every extra and what the tests need (poppler-utils, zbar-tools,
#                                   chromium, redis-server, the test extra): make test
#
# Why each system package:
#   fonts-noto-cjk        the CJK faces (Noto Sans/Serif CJK SC and TC) the briefing is set in
#   fonts-dejavu-core     DejaVu Sans Mono for URLs and the version: a 0.3 MB face instead of a third copy
#                         of the 20 MB Noto Sans CJK collection held in memory while the PDF is written
#   libpango-1.0-0,
#   libpangoft2-1.0-0     WeasyPrint's text layout
#   libharfbuzz-subset0   font subsetting in C; without it WeasyPrint falls back to fontTools and
#                         an 18-page Chinese PDF takes ~16 s instead of ~1 s
#   poppler-utils         pdftotext/pdffonts/pdfinfo/pdftoppm, used by the tests to read the PDF
#   zbar-tools            zbarimg, used by the tests to scan the QR codes back from the rendered PDF
#   chromium              a real headless browser, used by the tests to open the service's preview page
#   redis-server          the broker the tests start on a loopback port, for the Celery engine (reports worker)
set -euo pipefail

cd "$(dirname "$0")/.."
want_test=0
extras=()
while [ "$#" -gt 0 ]; do
    case "$1" in
        --test) want_test=1; extras+=(serve celery schedule test) ;;
        --extra) [ "$#" -ge 2 ] || { echo "error: --extra needs a name (serve, celery, schedule)" >&2; exit 2; }
                 extras+=("$2"); shift ;;
        *) echo "usage: scripts/setup.sh [--test] [--extra serve|celery|schedule]..." >&2; exit 2 ;;
    esac
    shift
done

packages=(fonts-noto-cjk fonts-dejavu-core libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0)
[ "$want_test" = 1 ] && packages+=(poppler-utils zbar-tools chromium redis-server)

# The interpreter of .venv: $PYTHON if given; else Debian's own python3 when it is 3.11 or later, built
# with profile-guided and link-time optimisation (WeasyPrint's layout is pure Python: a briefing
# renders about 15% faster than on an interpreter built from source without them, pyenv's default);
# else the first python3 on the PATH. An existing .venv is kept: remove it to change its interpreter.
python=${PYTHON:-}
if [ -z "$python" ]; then
    python=python3
    if [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
        python=/usr/bin/python3
    fi
fi
if ! command -v "$python" >/dev/null 2>&1; then
    echo "error: $python not found; install Python >= 3.11 (Debian: apt-get install python3 python3-venv)" >&2
    exit 1
fi
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    echo "error: Python >= 3.11 is needed, $python is $("$python" --version 2>&1)" >&2
    exit 1
fi
if ! "$python" -c 'import venv, ensurepip' >/dev/null 2>&1; then
    packages+=(python3-venv)
fi

missing=()
if command -v dpkg-query >/dev/null 2>&1; then
    for package in "${packages[@]}"; do
        status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
        [ "$status" = "install ok installed" ] || missing+=("$package")
    done
else
    echo "error: this is not a Debian/Ubuntu system (no dpkg)." >&2
    echo "Install the equivalents of these packages with your package manager, then run again:" >&2
    echo "  ${packages[*]}" >&2
    exit 1
fi

if [ "${#missing[@]}" -gt 0 ]; then
    install="apt-get install -y --no-install-recommends ${missing[*]}"
    if [ "$(id -u)" = 0 ]; then
        as_root=()
    elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        as_root=(sudo)
    else
        echo "error: missing system packages: ${missing[*]}" >&2
        echo "Run this as root (or with sudo), then run this command again:" >&2
        echo "  sudo apt-get update && sudo $install" >&2
        exit 1
    fi
    echo "Installing system packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    "${as_root[@]}" apt-get update -qq
    # shellcheck disable=SC2086
    "${as_root[@]}" $install -qq
fi

if [ ! -x .venv/bin/python ]; then
    echo "Creating .venv"
    "$python" -m venv .venv
fi

# Reinstall only when pyproject.toml changed since the last install with these extras (or they are new).
names=""
[ "${#extras[@]}" -gt 0 ] && names=$(printf '%s\n' "${extras[@]}" | sort -u | paste -sd, -)
extra=${names:+[$names]}
stamp=".venv/.installed${names:+-${names//,/-}}"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    echo "Installing the reports package${extra:+ with ${extra}} into .venv"
    # compat: the project folder on sys.path by a plain .pth line, not setuptools' import-hook
    # finder, which costs every Python start in .venv about 12 ms (a quarter of an up-to-date build).
    # Editable: the built-in templates/ and styles/ are read from the repository's top folder.
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".${extra}" \
        --config-settings editable_mode=compat \
        || .venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".${extra}"
    touch "$stamp"
fi
# Byte-compile the package (only what changed): where PYTHONDONTWRITEBYTECODE is set, Python
# would otherwise compile it again at every start.
.venv/bin/python -m compileall -q reports >/dev/null
