#!/bin/sh
# `npm start`: brings the example up under corral (once; a second start says it is already up).
set -e
corral="node dist/src/cli/main.js"
if $corral status hello --json 2>/dev/null | grep -q '"status": "running"'; then
  echo "hello is already running:"
else
  $corral run --name hello -- node examples/hello.js >/dev/null
  $corral wait hello --until running --timeout 10s >/dev/null
fi
$corral ls
echo
echo "Try: $corral logs hello --new   ·   curl http://127.0.0.1:4780/   ·   $corral kill hello"
