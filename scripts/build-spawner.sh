#!/bin/sh
# Builds the native task spawner (src/process/spawner.c) into dist/bin/corral-spawner.
# Without a C compiler corral still works: tasks then start under the sh monitor, only
# more slowly (see docs/architecture.md).
set -e
out=dist/bin/corral-spawner
cc=${CC:-cc}
if ! command -v "$cc" >/dev/null 2>&1; then
  echo "no C compiler ($cc): tasks will start under the sh monitor" >&2
  exit 0
fi
mkdir -p dist/bin
if ! "$cc" -O2 -Wall -Wextra -o "$out.tmp" src/process/spawner.c; then
  rm -f "$out.tmp"
  echo "building $out failed: tasks will start under the sh monitor" >&2
  exit 0
fi
mv "$out.tmp" "$out"
