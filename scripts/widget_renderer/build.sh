#!/usr/bin/env bash
# Rebuilds the site's widget renderer in dlwp_widgets/book/site_assets/ (widgets.js, widgets.css, fonts/,
# LICENSES.txt, renderer.json) from the versions pinned in package-lock.json.
# Needs Node and the npm registry; the site build itself needs neither.
# To move to a newer html-manager: change its version in package.json, run
# `npm install` here, then this script, and commit the lock file and the outputs.
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund --ignore-scripts
assets=../../dlwp_widgets/book/site_assets
rm -rf "$assets/fonts" "$assets/widgets.js" "$assets/widgets.css"
# Chromium and every current browser read woff2; the other font formats are left out.
./node_modules/.bin/esbuild src/render-widgets.js --bundle --minify --format=iife --outfile="$assets/widgets.js" \
    --loader:.woff2=file --loader:.woff=empty --loader:.ttf=empty --loader:.eot=empty --loader:.svg=empty \
    --asset-names=fonts/[name]-[hash] --legal-comments=none --metafile=node_modules/.meta.json --log-level=warning
node licenses.js node_modules/.meta.json "$assets/LICENSES.txt" "$assets/renderer.json"
