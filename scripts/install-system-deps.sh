#!/usr/bin/env bash
# The one installer of the system programs the tests, the fault suite, the bench and the demo start:
# used by `npm run setup:system` and by .ci/run. Installs the missing ones with apt-get when it runs as
# root on a machine with apt-get (CI); otherwise prints the line that installs them and exits 1.
set -euo pipefail

# program:Debian package (promtool ships in prometheus; redis-cli in redis-tools, a dependency of redis-server)
needed=(
  redis-server:redis-server
  redis-cli:redis-tools
  redis-sentinel:redis-sentinel
  chromium:chromium
  haproxy:haproxy
  promtool:prometheus
)

missing=()
for entry in "${needed[@]}"; do
  bin="${entry%%:*}"
  pkg="${entry#*:}"
  if ! command -v "$bin" >/dev/null 2>&1; then
    case " ${missing[*]-} " in *" $pkg "*) ;; *) missing+=("$pkg") ;; esac
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "setup:system: installing ${missing[*]} with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
  exit 0
fi

echo "setup:system: missing system packages: ${missing[*]}" >&2
echo "install them with: sudo apt-get install -y ${missing[*]}" >&2
exit 1
