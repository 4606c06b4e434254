#!/bin/sh
# Put Portfolio in your desktop's applications menu, for you only (no sudo), and let
# double-clicked .sqlite3 portfolios open in it. Run it from the unpacked Portfolio
# folder, wherever you keep it; run it again after moving the folder.
#   ./install-desktop-entry.sh           add the menu entry and the icon
#   ./install-desktop-entry.sh --remove  take them away again
set -eu

here=$(cd "$(dirname "$0")" && pwd)
data=${XDG_DATA_HOME:-$HOME/.local/share}
entry="$data/applications/portfolio.desktop"
icon="$data/icons/hicolor/scalable/apps/portfolio.svg"

refresh() {
  # Optional helpers: menus pick up the change without them, only later.
  update-desktop-database "$data/applications" >/dev/null 2>&1 || true
  gtk-update-icon-cache -q -t "$data/icons/hicolor" >/dev/null 2>&1 || true
}

if [ "${1:-}" = "--remove" ]; then
  rm -f "$entry" "$icon"
  refresh
  echo "Removed Portfolio from the applications menu."
  exit 0
fi

if [ ! -x "$here/Portfolio" ]; then
  echo "install-desktop-entry.sh: run me from the unpacked Portfolio folder" >&2
  exit 1
fi

# The desktop entry spec quotes a path with spaces in "..." and escapes \ " ` $ in it.
executable=$(printf '%s' "$here/Portfolio" | sed 's/[\\"`$]/\\&/g')
mkdir -p "$data/applications" "$(dirname "$icon")"
cp "$here/portfolio.svg" "$icon"
sed "/^Exec=/d" "$here/portfolio.desktop" > "$entry.tmp"
printf 'Exec="%s" %%f\n' "$executable" >> "$entry.tmp"
mv "$entry.tmp" "$entry"
refresh
echo "Portfolio is in your applications menu ($entry)."
