#!/usr/bin/env bash
# harness-timeout: 1800
# The Evidence site of bi/ (README "BI tools") in a real browser: built as
# make bi builds it (the demo world, npm ci from package-lock.json, evidence
# sources and build as a LOGIN role granted gcanalytics_reader), served on
# 127.0.0.1, each page loaded in headless Chromium (Debian's, driven by
# playwright-core); a page error fails, and the numbers of every table and
# the insight equal SQL over the reporting schema at the precision shown
# (bi_compare.py).  Screenshots stay in .build/bi/ for a person to look at.
# Opt-in: it downloads the site's npm packages (once) and takes minutes.
set -eu -o pipefail
. "$GCA_ROOT/test/lib.sh"

if [ "${GCA_BI_TEST:-}" != 1 ]; then
    echo "skipped: opt-in, GCA_BI_TEST=1 make test TESTS=bi (npm packages of bi/, headless Chromium)"
    exit 77
fi
command -v npm >/dev/null || { echo "skipped: no node/npm on this machine"; exit 77; }
[ -x /usr/bin/chromium ] || fail "no /usr/bin/chromium (test/deps.sh installs Debian's chromium when GCA_BI_TEST=1)"

DB=gca_bi_test
OUT=$GCA_BUILD/bi
rm -rf "$OUT"
mkdir -p "$OUT"
bash "$GCA_ROOT/bi/build.sh" $DB
node "$GCA_ROOT/test/helpers/bi_pages.mjs" "$GCA_ROOT/bi/build" "$OUT" / /queues /quality /containment /join-quality
python3 "$GCA_ROOT/test/helpers/bi_compare.py" "$OUT/pages.json" $DB gca_bi_analyst
echo "screenshots: $(ls "$OUT"/*.png | tr '\n' ' ')"
