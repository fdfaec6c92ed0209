#!/bin/sh
# Installs what the test suite drives besides node: tmux (terminal tests), python3
# (the example environment's web server), chromium (the dashboard's page, driven by
# playwright-core through /usr/bin/chromium: no browser download), and the validators of `corral export`'s files:
# docker-compose (`docker-compose config -q`, no Docker daemon needed) and systemd
# (`systemd-analyze verify`). A no-op when they are already there.
missing=""
command -v tmux >/dev/null 2>&1 || missing="$missing tmux"
command -v python3 >/dev/null 2>&1 || missing="$missing python3"
[ -x /usr/bin/chromium ] || missing="$missing chromium"
command -v docker-compose >/dev/null 2>&1 || missing="$missing docker-compose"
command -v systemd-analyze >/dev/null 2>&1 || missing="$missing systemd"
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing:$missing"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
else
  echo "the tests need:$missing (install them, e.g. with apt-get install$missing)" >&2
  exit 1
fi
