#!/usr/bin/env bash
# Installs the Debian packages the tests need when they are missing: PostgreSQL (a real server
# for the store tests) and Chromium (the browser tests). Needs root, or sudo without a password.
set -euo pipefail

need=()
compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null || need+=(postgresql)
[[ -x /usr/bin/chromium ]] || need+=(chromium)
((${#need[@]})) || exit 0

sudo=""
[[ $(id -u) -eq 0 ]] || sudo="sudo -n"
echo "installing Debian packages: ${need[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
