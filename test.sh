#!/usr/bin/env bash
# The README's test command: installs what the tests need when it is missing, then runs every test.
#
#   ./test.sh [extra maven arguments]      e.g. ./test.sh -Dtest=ManagementApiTest -Dit.test=none
#
# Needs: Debian or Ubuntu (apt-get), and root or sudo for the installs: chromium and
# chromium-driver (browser tests), a JDK (17 or 21) when there is no javac, php-cli (PHP client test), maven, npm (the build fetches the browser scripts), curl,
# iptables (network-fault tests). Idempotent: nothing is installed and apt-get update does not run when every
# tool is already there.
set -euo pipefail
cd "$(dirname "$0")"

need=()
command -v javac >/dev/null 2>&1 || need+=(default-jdk-headless) # Debian 12: 17, Debian 13: 21 (25 is not supported)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need+=(chromium-driver)
command -v php >/dev/null 2>&1 || need+=(php-cli)
command -v mvn >/dev/null 2>&1 || need+=(maven)
command -v npm >/dev/null 2>&1 || need+=(npm)
command -v iptables >/dev/null 2>&1 || [ -x /usr/sbin/iptables ] || need+=(iptables)
command -v curl >/dev/null 2>&1 || need+=(curl) # the README's curl lines are run by a test
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    sudo=()
  elif command -v sudo >/dev/null 2>&1; then
    sudo=(sudo)
  else
    echo "test.sh: missing ${need[*]}; installing them needs root or sudo" >&2
    exit 1
  fi
  echo "test.sh: installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# reactor.xml: the server (pom.xml, target/socket-push.jar) and then the benchmark (bench/pom.xml) with its tests
exec mvn -B -f reactor.xml verify "$@"
