#!/bin/sh
# Trunk's post_build hook: a gzip and a brotli copy beside each file of the bundle (wasm, js,
# css), which the server sends to browsers that accept them (`server/src/assets.rs`). Made
# once, at build time, at the strongest settings for release builds (brotli 11 takes a few
# seconds), faster ones for debug builds.
set -eu
cd "$TRUNK_STAGING_DIR"
if [ "${TRUNK_PROFILE:-debug}" = release ]; then
  gz=9 br=11
else
  gz=6 br=5
fi
for f in *.wasm *.js *.css; do
  [ -f "$f" ] || continue
  gzip -"$gz" -n -k -f "$f"
  brotli -q "$br" -k -f "$f"
done
