#!/usr/bin/env bash
# Installs the Debian packages the benchmarks need when they are missing: wrk, the HTTP load tool of
# `make bench-serve`. Not run by `make test`. Needs root, or sudo without a password.
set -euo pipefail

need=()
command -v wrk >/dev/null || need+=(wrk)
((${#need[@]})) || exit 0

sudo=""
[[ $(id -u) -eq 0 ]] || sudo="sudo -n"
echo "installing Debian packages: ${need[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
