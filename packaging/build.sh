#!/usr/bin/env bash
# Builds Balcão for Linux with PyInstaller:
#   packaging/dist/balcao/                      the program: run balcao/balcao; install with install.sh
#   packaging/dist/balcao-VERSION-linux-ARCH.tar.gz   the same folder, to hand to a technician
#
#   bash packaging/build.sh
#
# Installs PyInstaller (the `package` extra) into .venv when it is missing, and re-installs the
# project when pyproject.toml's version changed, because `balcao --version` reads the installed
# metadata. Then packaging/smoke.sh checks the result.
set -euo pipefail
cd "$(dirname "$0")/.."

[ -x .venv/bin/python ] || bash .ci/setup
# PyInstaller reads and strips the libraries with binutils (`bash .ci/setup --test` installs it).
command -v objdump >/dev/null && command -v strip >/dev/null ||
    { echo "build.sh: PyInstaller needs binutils: sudo apt-get install binutils" >&2; exit 1; }
if ! .venv/bin/python - <<'EOF'
import sys
import tomllib
from importlib import metadata
from importlib.util import find_spec

with open("pyproject.toml", "rb") as project:
    wanted = tomllib.load(project)["project"]["version"]
try:
    installed = metadata.version("balcao")
except metadata.PackageNotFoundError:
    installed = None
sys.exit(0 if installed == wanted and find_spec("PyInstaller") else 1)
EOF
then
    .venv/bin/python -m pip install -q -e ".[package]"
fi

version="$(.venv/bin/python -c 'from importlib import metadata; print(metadata.version("balcao"))')"
bundle=packaging/dist/balcao

.venv/bin/python -m PyInstaller --noconfirm --log-level WARN \
    --distpath packaging/dist --workpath packaging/build packaging/balcao.spec

# What a desktop needs beside the program, in the layout of PREFIX/share, and the script that
# puts both in place (packaging/README.md, "Installing on Linux").
share="$bundle/share"
mkdir -p "$share/applications" "$share/metainfo" "$share/icons/hicolor/scalable/apps"
cp packaging/pt.webplug.Balcao.desktop "$share/applications/"
cp packaging/pt.webplug.Balcao.metainfo.xml "$share/metainfo/"
cp -r resources/icons/hicolor/. "$share/icons/hicolor/"
cp resources/balcao.svg "$share/icons/hicolor/scalable/apps/pt.webplug.Balcao.svg"
install -m 755 packaging/install-linux.sh "$bundle/install.sh"

archive="packaging/dist/balcao-$version-linux-$(uname -m).tar.gz"
tar -C packaging/dist -czf "$archive" balcao

echo "built $bundle ($(du -sh "$bundle" | cut -f1)) and $archive ($(du -h "$archive" | cut -f1))"
