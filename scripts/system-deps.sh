#!/usr/bin/env bash
# Installs the Debian packages the tests need when they are missing: PostgreSQL (a real server
# for the store tests), Chromium (the browser tests), Noto CJK and colour emoji fonts (Chinese
# text and emoji in Chromium, for `make screenshots`, and in report PDFs), Pango (WeasyPrint) and
# a Java runtime (Spark, for the tests that DuckDB and Spark compute the same metrics). Needs root,
# or sudo without a password.
set -euo pipefail

need=()
compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null || need+=(postgresql)
[[ -x /usr/bin/chromium ]] || need+=(chromium)
# Without a CJK font Chromium draws Chinese as empty boxes.
compgen -G "/usr/share/fonts/opentype/noto/NotoSansCJK-*.ttc" >/dev/null || need+=(fonts-noto-cjk)
# WeasyPrint (`govsocial report`'s PDFs) lays out text with Pango; Chromium pulls it in, but say so.
compgen -G "/usr/lib/*/libpangoft2-1.0.so.0" >/dev/null || need+=(libpango-1.0-0 libpangoft2-1.0-0)
# Citizens' comments and posts carry emoji; without a colour emoji font they are boxes in screenshots.
[[ -f /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf ]] || need+=(fonts-noto-color-emoji)
# Spark 3.5/4.0 runs on Java 17 or 21; Debian bookworm's default runtime is 17.
command -v java >/dev/null || [[ -x "${JAVA_HOME:-/nonexistent}/bin/java" ]] || need+=(default-jre-headless)
((${#need[@]})) || exit 0

sudo=""
[[ $(id -u) -eq 0 ]] || sudo="sudo -n"
echo "installing Debian packages: ${need[*]}"
$sudo apt-get update -qq
# Slim Debian images lack the man page folder that the Java packages link into, and fail without it.
if [[ " ${need[*]} " == *" default-jre-headless "* ]]; then $sudo mkdir -p /usr/share/man/man1; fi
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
