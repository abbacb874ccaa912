#!/bin/sh
# Create the virtual environment and install Kesu with its test tools.
# On a fresh Debian machine python3-venv and Qt's runtime libraries may be missing:
# install them with apt-get when we are root (or have sudo), else say what to install.
# PostgreSQL's server binaries (Debian's postgresql) are needed by the sync tests.
set -eu
VENV=${1:-.venv}
PYTHON=${PYTHON:-python3}
# Qt's xcb platform plugin and what it loads (ui/platform_libs.py maps each library to
# its package; after installing, `python -m ui.platform_libs` checks them with ldd).
QT_DEBS="libgl1 libegl1 libglx0 libglvnd0 libopengl0 libx11-6 libx11-xcb1 libxau6 libxdmcp6
 libxcb1 libxcb-cursor0 libxcb-glx0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0
 libxcb-render0 libxcb-render-util0 libxcb-shape0 libxcb-shm0 libxcb-sync1 libxcb-util1
 libxcb-xfixes0 libxcb-xinerama0 libxcb-xinput0 libxcb-xkb1 libxkbcommon0 libxkbcommon-x11-0
 libfontconfig1 libfreetype6 libglib2.0-0 libdbus-1-3 libcups2 libxrender1 libxi6"
DEBS="python3-venv python3-pip $QT_DEBS"

need_debs() {
    command -v dpkg-query >/dev/null 2>&1 || return 1
    for p in $DEBS; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || return 0
    done
    return 1
}

if ! "$PYTHON" -c "import venv, ensurepip" >/dev/null 2>&1 || need_debs; then
    if command -v apt-get >/dev/null 2>&1; then
        SUDO=""
        [ "$(id -u)" = 0 ] || SUDO="sudo"
        echo "bootstrap: installing system packages:" $DEBS
        $SUDO apt-get update -qq || true
        # Some names differ between Debian releases; install what exists.
        for p in $DEBS; do
            DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$p" >/dev/null 2>&1 \
                || echo "bootstrap: note: could not install $p"
        done
    else
        echo "bootstrap: please install Python's venv module and Qt's runtime libraries" >&2
    fi
fi

# PostgreSQL server binaries for the sync tests (they start throwaway clusters of their
# own). The system cluster must not be started: a temporary policy-rc.d forbids it
# while the package installs, unless the machine already has one.
have_pg() {
    command -v initdb >/dev/null 2>&1 && return 0
    ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1
}

if ! have_pg; then
    if command -v apt-get >/dev/null 2>&1; then
        SUDO=""
        [ "$(id -u)" = 0 ] || SUDO="sudo"
        echo "bootstrap: installing postgresql (its system cluster stays stopped)"
        GUARD=""
        if [ ! -e /usr/sbin/policy-rc.d ]; then
            printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
            $SUDO chmod 755 /usr/sbin/policy-rc.d
            GUARD=1
        fi
        $SUDO apt-get update -qq || true
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >/dev/null \
            || echo "bootstrap: note: could not install postgresql"
        [ -z "$GUARD" ] || $SUDO rm -f /usr/sbin/policy-rc.d
    else
        echo "bootstrap: please install PostgreSQL's server binaries (initdb, pg_ctl)" >&2
    fi
fi

# Debian's Chromium for the console's browser tests (Playwright drives it through
# executable_path; no browser is ever downloaded: `playwright install` must not run).
if [ ! -x /usr/bin/chromium ]; then
    if command -v apt-get >/dev/null 2>&1; then
        SUDO=""
        [ "$(id -u)" = 0 ] || SUDO="sudo"
        echo "bootstrap: installing chromium and chromium-driver (the console's browser tests)"
        $SUDO apt-get update -qq || true
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver \
            >/dev/null || echo "bootstrap: note: could not install chromium"
    else
        echo "bootstrap: please install Chromium (/usr/bin/chromium) for the browser tests" >&2
    fi
fi

[ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
"$VENV/bin/python" -m pip install -q --upgrade pip
"$VENV/bin/python" -m pip install -q -e '.[test]'

# Every library Qt's xcb plugin loads must be found, or no window opens on this machine.
# Install what ldd still misses (names can differ between releases), then check again.
if ! "$VENV/bin/python" -m ui.platform_libs 2>/dev/null; then
    MORE=$("$VENV/bin/python" -m ui.platform_libs --packages)
    if [ -n "$MORE" ] && command -v apt-get >/dev/null 2>&1; then
        SUDO=""
        [ "$(id -u)" = 0 ] || SUDO="sudo"
        echo "bootstrap: installing what Qt's xcb plugin still misses: $MORE"
        for p in $MORE; do
            DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$p" >/dev/null 2>&1 \
                || echo "bootstrap: note: could not install $p"
        done
    fi
    if ! "$VENV/bin/python" -m ui.platform_libs; then
        echo "bootstrap: Qt cannot open a window here until the libraries above are installed" >&2
        exit 1
    fi
fi
