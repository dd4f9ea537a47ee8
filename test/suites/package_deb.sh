#!/usr/bin/env bash
# The Debian package: `make package` builds it with PostgreSQL's standard
# packaging (debian/, pg_buildext), and it installs with
# `apt-get install ./postgresql-15-gcanalytics_*.deb` into a clean Debian
# root made by debootstrap (the host's release and its apt sources), where
# apt must resolve every dependency from the archive.  Inside that root a
# cluster with gcanalytics preloaded creates the extension, runs a KPI
# function, and updates from the oldest packaged release.  Versions in
# gcanalytics.control, debian/changelog and META.json must agree.
#
# Opt-in, it takes minutes and a few hundred MB the first time (the base
# root is kept as .build/package/base.tar and unpacked fresh for every run):
#   GCA_PACKAGE_TEST=1 make test TESTS=package_deb
set -eu -o pipefail
. "$GCA_ROOT/test/lib.sh"

if [ "${GCA_PACKAGE_TEST:-}" != 1 ]; then
    echo "skipped: set GCA_PACKAGE_TEST=1 to build the Debian package and install it into a debootstrap root (minutes)"
    exit 77
fi
[ "$(id -u)" = 0 ] || fail "needs root (debootstrap, chroot, mount)"
for t in debootstrap dpkg-buildpackage pg_buildext dh; do
    command -v "$t" >/dev/null || fail "$t is missing (test/deps.sh installs it when GCA_PACKAGE_TEST=1)"
done
cd "$GCA_ROOT"

# 1. one version everywhere
v=$(sed -n "s/^default_version *= *'\(.*\)'/\1/p" gcanalytics.control)
assert_eq "$v" "$(dpkg-parsechangelog -S Version)" "debian/changelog has version $v"
assert_eq "$v $v" "$(python3 -c 'import json; m = json.load(open("META.json")); print(m["version"], m["provides"]["gcanalytics"]["version"])')" \
    "META.json has version $v"
pg_buildext checkcontrol >/dev/null 2>&1 || fail "debian/control is stale: run pg_buildext updatecontrol"

# 2. the package
make -s package >"$GCA_BUILD/tmp/package_deb/make.log" 2>&1 || { cat "$GCA_BUILD/tmp/package_deb/make.log"; fail "make package failed"; }
deb=$(ls "$GCA_BUILD"/package/postgresql-15-gcanalytics_"${v}"_*.deb)
contents=$(dpkg-deb -c "$deb")
for f in lib/postgresql/15/lib/gcanalytics.so extension/gcanalytics.control "extension/gcanalytics--$v.sql" \
         extension/gcanalytics--0.1.0.sql extension/gcanalytics--0.2.0.sql \
         "extension/gcanalytics--0.1.0--0.2.0.sql" "extension/gcanalytics--0.2.0--$v.sql"; do
    echo "$contents" | contains "$f\$" || fail "the package lacks $f"
done
echo "ok: $(basename "$deb") holds the library, the control file, the install and upgrade scripts"

# 3. a clean Debian root
P=$GCA_BUILD/package
ROOT=$P/root
# the host's Debian mirror and sources (deb822 or one-line format)
SOURCES=/etc/apt/sources.list.d/debian.sources
if [ -f "$SOURCES" ]; then
    MIRROR=$(awk '/^URIs:/ { print $2; exit }' "$SOURCES")
else
    SOURCES=/etc/apt/sources.list
    MIRROR=$(awk '$1 == "deb" && $0 !~ /security/ { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; exit } }' "$SOURCES" 2>/dev/null || true)
fi
[ -n "$MIRROR" ] || fail "no Debian mirror found in the host's apt sources"
SUITE=$(. /etc/os-release && echo "$VERSION_CODENAME")
cleanup_root() {
    for m in dev/shm dev/pts dev proc; do umount -l "$ROOT/$m" 2>/dev/null || true; done
}
# remove_root - deletes the root, never while something is still mounted in it
remove_root() {
    cleanup_root
    if grep -q " $ROOT/" /proc/mounts; then
        fail "something is still mounted under $ROOT; not removing it"
    fi
    rm -rf "$ROOT"
}
trap 'cleanup_root; stop_all_gcsim' EXIT
remove_root
if [ ! -s "$P/base.tar" ]; then
    echo "debootstrap $SUITE from $MIRROR (once)"
    rm -rf "$P/base"
    debootstrap --variant=minbase "$SUITE" "$P/base" "$MIRROR" >"$P/debootstrap.log" 2>&1 \
        || { tail -n 30 "$P/debootstrap.log"; fail "debootstrap failed"; }
    tar -C "$P/base" -cf "$P/base.tar.tmp" . && mv "$P/base.tar.tmp" "$P/base.tar"
    rm -rf "$P/base"
fi
mkdir -p "$ROOT"
tar -C "$ROOT" -xf "$P/base.tar"
mount -t proc proc "$ROOT/proc"
mount --bind /dev "$ROOT/dev"
mount --bind /dev/pts "$ROOT/dev/pts"
mount -t tmpfs tmpfs "$ROOT/dev/shm"
rm -f "$ROOT/etc/apt/sources.list"
case $SOURCES in
    */sources.list) cp "$SOURCES" "$ROOT/etc/apt/sources.list" ;;
    *) cp "$SOURCES" "$ROOT/etc/apt/sources.list.d/" ;;
esac
printf '#!/bin/sh\nexit 101\n' >"$ROOT/usr/sbin/policy-rc.d"   # no services start in the root
chmod +x "$ROOT/usr/sbin/policy-rc.d"
cp "$deb" "$ROOT/tmp/"
in_root() { chroot "$ROOT" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8 "$@"; }
assert_eq "not installed" "$(in_root dpkg-query -W -f='${Status}' postgresql-15 2>/dev/null || echo "not installed")" \
    "the root has no PostgreSQL before the package"
in_root apt-get update -qq >"$P/apt.log" 2>&1 || { cat "$P/apt.log"; fail "apt-get update in the root failed"; }
in_root apt-get install -y -q --no-install-recommends "./tmp/$(basename "$deb")" >>"$P/apt.log" 2>&1 \
    || { tail -n 40 "$P/apt.log"; fail "apt-get install ./$(basename "$deb") failed in a clean root"; }
assert_eq "install ok installed" "$(in_root dpkg-query -W -f='${Status}' postgresql-15-gcanalytics)" \
    "apt-get install ./$(basename "$deb") installed it with its dependencies"

# 4. the installed extension works
in_root su postgres -s /bin/sh -c "
    /usr/lib/postgresql/15/bin/initdb -D /tmp/pgdata -A trust --no-sync >/tmp/initdb.log 2>&1 &&
    /usr/lib/postgresql/15/bin/pg_ctl -D /tmp/pgdata -l /tmp/pg.log -w \
        -o \"-c listen_addresses='' -k /tmp -c shared_preload_libraries=gcanalytics -c gcanalytics.allow_loopback_http=on\" start" >/dev/null \
    || { cat "$ROOT/tmp/initdb.log" "$ROOT/tmp/pg.log" 2>/dev/null; fail "PostgreSQL did not start in the root"; }
rpsql() { in_root su postgres -s /bin/sh -c "psql -h /tmp -XAtq -v ON_ERROR_STOP=1 -d $1 -c \"$2\""; }
rpsql postgres "CREATE EXTENSION gcanalytics"
assert_eq "$v" "$(rpsql postgres "SELECT gcanalytics.version()")" "the packaged library reports $v"
assert_eq 360000 "$(rpsql postgres "SELECT gcanalytics.weighted_handle_time(300000, 1, 'voice')")" \
    "weighted_handle_time(300000, 1, voice) = 300000 x 1.2"
rpsql postgres "CREATE DATABASE up"
rpsql up "CREATE EXTENSION gcanalytics VERSION '0.1.0'"
rpsql up "ALTER EXTENSION gcanalytics UPDATE"
assert_eq "$v" "$(rpsql up "SELECT extversion FROM pg_extension WHERE extname = 'gcanalytics'")" \
    "the package updates 0.1.0 to $v"
in_root su postgres -s /bin/sh -c "/usr/lib/postgresql/15/bin/pg_ctl -D /tmp/pgdata -m fast -w stop" >/dev/null
remove_root
