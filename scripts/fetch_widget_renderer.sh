#!/usr/bin/env bash
# Refresh book_assets/widgets/ from npm (the ipywidgets renderer the offline book serves).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
(cd "$tmp" && npm install --silent @jupyter-widgets/html-manager@1 requirejs@2 >/dev/null)
dist="$tmp/node_modules/@jupyter-widgets/html-manager/dist"
cp "$dist"/embed-amd.js "$dist"/*.woff2 "$dist"/*.woff "$dist"/embed.js.LICENSE.txt "$top/book_assets/widgets/"
cp "$tmp/node_modules/requirejs/require.js" "$top/book_assets/widgets/"
rm -rf "$tmp"
echo "book_assets/widgets refreshed"
