#!/usr/bin/env bash
# test/deps.sh - installs the Debian packages the build, the tests and the
# demo need, when they are missing (apt-get as root, sudo otherwise).
set -u
PACKAGES="postgresql-15 postgresql-server-dev-15 postgresql-15-cron libcurl4-openssl-dev
libjson-c-dev libmicrohttpd-dev pkg-config make gcc curl libipc-run-perl valgrind jq
python3-requests python3-psycopg2 clang libclang-rt-14-dev odbc-postgresql unixodbc python3-pyodbc
libpostgresql-jdbc-java socat"
# jq: suites; python3-requests, python3-psycopg2: the baseline of make bench;
# clang and its sanitizer/libFuzzer runtimes: the fuzz targets (test/fuzz/, make fuzz)
# odbc-postgresql, unixodbc, python3-pyodbc, libpostgresql-jdbc-java, socat: the suite
# odbc (psqlODBC and pgJDBC as BI tools use them; pgJDBC when java is there)
# the opt-in browser test of the Evidence site (GCA_BI_TEST=1 make test TESTS=bi)
if [ "${GCA_BI_TEST:-}" = 1 ]; then
    PACKAGES="$PACKAGES chromium"
fi
# the opt-in package test (GCA_PACKAGE_TEST=1 make test TESTS=package_deb) and make package
if [ "${GCA_PACKAGE_TEST:-}" = 1 ]; then
    PACKAGES="$PACKAGES postgresql-server-dev-all debhelper dpkg-dev fakeroot debootstrap"
fi
# the suite citus builds Citus from its source archive when it is there
# (../shared/vendor or GCA_CITUS_SOURCE); these are its build dependencies
GCA_ROOT=${GCA_ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
if [ -f "${GCA_CITUS_SOURCE:-$GCA_ROOT/../shared/vendor/citus-12.1.9.tar.gz}" ]; then
    PACKAGES="$PACKAGES libzstd-dev liblz4-dev libkrb5-dev libssl-dev libselinux1-dev libxslt1-dev
libpam0g-dev libreadline-dev"
fi

missing=""
for p in $PACKAGES; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

echo "== installing:$missing"
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq || exit 1
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null || exit 1
# Debian's postgresql-15 package creates and starts a system cluster; the
# tests never use it.
exit 0
