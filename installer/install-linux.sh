#!/usr/bin/env sh
# Installs the Linux bundle for the current user: the program in ~/.local/opt, a launcher in
# ~/.local/bin, the menu entry and the icon. The user's data (~/.local/share/sradar-desktop) is
# neither touched nor removed.
#
#   installer/install-linux.sh            # after « python installer/build.py »
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
bundle="$root/dist/SRADAR Desktop"
[ -x "$bundle/sradar-desktop" ] || { echo "Construisez d'abord : python installer/build.py" >&2; exit 1; }
target="$HOME/.local/opt/sradar-desktop"
rm -rf "$target" && mkdir -p "$target" && cp -a "$bundle/." "$target/"
mkdir -p "$HOME/.local/bin" "$HOME/.local/share/applications" \
         "$HOME/.local/share/icons/hicolor/256x256/apps"
ln -sf "$target/sradar-desktop" "$HOME/.local/bin/sradar-desktop"
cp "$root/resources/icons/sradar-desktop.png" "$HOME/.local/share/icons/hicolor/256x256/apps/"
cp "$root/installer/sradar-desktop.desktop" "$HOME/.local/share/applications/"
echo "SRADAR Desktop est installé : menu Bureautique, ou « sradar-desktop » dans un terminal."
