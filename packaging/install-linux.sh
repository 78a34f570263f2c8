#!/usr/bin/env bash
# Installs Balcão from this unpacked folder (packaging/build.sh copies this script into it as
# install.sh), with its menu entry and icons.
#
#   ./install.sh                     for you: ~/.local/opt/balcao, ~/.local/bin/balcao, ~/.local/share
#   sudo ./install.sh --system       for everyone: /opt/balcao, /usr/local/bin/balcao, /usr/local/share
#   ./install.sh --uninstall         removes what the same command installed (add --system if so)
#
# The data (the database, the settings) lives elsewhere and is never touched: see the README.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
id=pt.webplug.Balcao
system=0
uninstall=0
for argument in "$@"; do
    case "$argument" in
        --system) system=1 ;;
        --uninstall) uninstall=1 ;;
        *) echo "usage: $0 [--system] [--uninstall]" >&2; exit 2 ;;
    esac
done

if [ "$system" = 1 ]; then
    program=/opt/balcao bin=/usr/local/bin share=/usr/local/share
else
    program="$HOME/.local/opt/balcao" bin="$HOME/.local/bin" share="${XDG_DATA_HOME:-$HOME/.local/share}"
fi

icons=()
while IFS= read -r icon; do
    icons+=("${icon#"$here/share/"}")
done < <(find "$here/share/icons" -type f)

if [ "$uninstall" = 1 ]; then
    rm -f "$bin/balcao" "$share/applications/$id.desktop" "$share/metainfo/$id.metainfo.xml"
    for icon in "${icons[@]}"; do rm -f "$share/$icon"; done
    [ "$here" = "$program" ] || rm -rf "$program"
else
    if [ "$here" != "$program" ]; then
        rm -rf "$program"
        mkdir -p "$(dirname "$program")"
        cp -a "$here" "$program"
    fi
    mkdir -p "$bin" "$share/applications" "$share/metainfo"
    ln -sf "$program/balcao" "$bin/balcao"
    # The menu entry names the program by its full path: ~/.local/bin is not on every
    # desktop session's PATH.
    sed "s|^Exec=balcao\$|Exec=$program/balcao|" "$here/share/applications/$id.desktop" \
        > "$share/applications/$id.desktop"
    cp "$here/share/metainfo/$id.metainfo.xml" "$share/metainfo/"
    for icon in "${icons[@]}"; do install -D -m 644 "$here/share/$icon" "$share/$icon"; done
fi

# Menus and icon themes pick the change up without a new login where these tools exist.
command -v update-desktop-database >/dev/null && update-desktop-database -q "$share/applications" || true
command -v gtk-update-icon-cache >/dev/null && gtk-update-icon-cache -q -t "$share/icons/hicolor" || true

if [ "$uninstall" = 1 ]; then
    echo "Balcão removed from $program (its data is kept)."
else
    echo "Balcão installed in $program; run it from the menu or as $bin/balcao."
fi
