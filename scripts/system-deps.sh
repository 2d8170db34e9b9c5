#!/usr/bin/env bash
# System packages the tests use for real (no mocks): Debian's chromium for the browser tests,
# PostgreSQL for the SQL-source tests, a headless Java 17 for the local Spark of the Spark tests
# (batchkit/engine/spark.py), and a CJK font for zh-CN charts. Installs only what is missing.
# `system-deps.sh fonts` installs only the font (what `make demo` asks for, best effort).
set -euo pipefail
need=()
if [ "${1:-all}" != fonts ]; then
  command -v chromium >/dev/null 2>&1 || need+=(chromium)
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
  # pyspark 4 needs Java 17 or later; JAVA_HOME counts as installed
  { command -v java >/dev/null 2>&1 || [ -x "${JAVA_HOME:-/nonexistent}/bin/java" ]; } || need+=(openjdk-17-jre-headless)
fi
fc-list 2>/dev/null | grep -qi "wenquanyi\|noto sans cjk" || need+=(fonts-wqy-microhei fontconfig)
if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "system-deps: missing ${need[*]}; install them with: sudo apt-get install -y ${need[*]}" >&2
  exit 1
fi
echo "system-deps: installing ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
