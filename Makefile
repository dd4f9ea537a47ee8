# gcanalytics - PGXS build, plus the harness targets of the README.
#
#   make && make install        build and install into the PostgreSQL of PG_CONFIG
#   make test [TESTS="a b"]     everything (or the named tests) on a scratch cluster
#   make demo                   the demo on the built-in simulator
#   make bi                     the Evidence site of bi/ on the demo world (README "BI tools")
#   make bench                  benchmarks, written to BENCHMARKS.md
#   make fuzz                   every fuzz target for FUZZ_SECONDS (default 60) each
#   make reliability            the reliability harness at full size (RELIABILITY.md)
#   make package                the Debian package, into .build/package/
#   make release                freeze this version's SQL (README "Upgrading")

EXTENSION = gcanalytics
EXTVERSION = $(shell sed -n "s/^default_version *= *'\(.*\)'/\1/p" $(EXTENSION).control)

MODULE_big = gcanalytics
SRCS = $(sort $(wildcard src/*.c src/*/*.c))
OBJS = $(SRCS:.c=.o)

# The extension's SQL, one source for installs and upgrades (README
# "Upgrading"):
#   src/sql/state/NN_*.sql   what holds data (tables, their indexes, types,
#                            the wrapper): created by a fresh install only
#   src/sql/code/NN_*.sql    what can be replaced (functions, procedures,
#                            views, dashboards, comments, grants): written
#                            so that it runs over the previous version too
#   src/sql/delta/A--B.sql   the hand-written changes of state from A to B
#   src/sql/released/        the frozen scripts of released versions
# The install script is the state and code pieces in name order; the
# upgrade from each A with a delta A--$(EXTVERSION) is that delta followed by
# every code piece.
SQL_STATE = $(wildcard src/sql/state/*.sql)
SQL_CODE = $(wildcard src/sql/code/*.sql)
SQL_PIECES = $(shell printf '%s\n' $(SQL_STATE) $(SQL_CODE) | sort -t/ -k4)
SQL_CODE_PIECES = $(sort $(SQL_CODE))
SQL_DELTAS = $(wildcard src/sql/delta/*--$(EXTVERSION).sql)
DATA_built = $(EXTENSION)--$(EXTVERSION).sql \
	$(patsubst src/sql/delta/%.sql,$(EXTENSION)--%.sql,$(SQL_DELTAS))
# the frozen scripts of released versions, so that CREATE EXTENSION ...
# VERSION 'A' and the older steps of an upgrade path keep working
DATA = $(filter-out $(addprefix %/,$(DATA_built)),$(wildcard src/sql/released/$(EXTENSION)--*.sql))

# pg_regress: every sql/NAME.sql, or those named in TESTS
ALL_REGRESS = $(patsubst sql/%.sql,%,$(sort $(wildcard sql/*.sql)))
REGRESS = $(if $(TESTS),$(filter $(TESTS),$(ALL_REGRESS)),$(ALL_REGRESS))
# The harness (test/run.sh) runs pg_regress in its own database with
# gcanalytics and pg_cron created; `make installcheck` on your own cluster
# makes a fresh database gca_regress with the extension, and leaves out the
# tests that need a running gcsim unless GCSIM_DEFAULT_URL names one.
ifdef GCA_HARNESS
REGRESS_OPTS = --use-existing
else
REGRESS_OPTS = --load-extension=gcanalytics
ifndef GCSIM_DEFAULT_URL
REGRESS := $(filter-out fdw_salesforce_explain,$(REGRESS))
endif
endif

# the Debian server-dev package ships PG 15 here; /usr/bin/pg_config picks the newest
PG_CONFIG ?= $(firstword $(wildcard /usr/lib/postgresql/15/bin/pg_config) pg_config)

PKG_CFLAGS := $(shell pkg-config --cflags libcurl json-c 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs libcurl json-c 2>/dev/null)
PG_CPPFLAGS = -I$(srcdir)/src/include $(PKG_CFLAGS) -DGCA_VERSION=\"$(EXTVERSION)\"
PG_CFLAGS = -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter \
	-Wno-missing-field-initializers -Wno-sign-compare
SHLIB_LINK = $(PKG_LIBS)

EXTRA_CLEAN = results regression.diffs regression.out

# Without the server headers (a fresh machine) only the harness targets
# below work; they install the packages and call make again.
PGXS := $(shell $(PG_CONFIG) --pgxs 2>/dev/null)
ifneq ($(wildcard $(PGXS)),)
include $(PGXS)
endif
# the harness's database, with gcanalytics and pg_cron already created
ifdef GCA_HARNESS
override CONTRIB_TESTDB = gca_regress
endif

$(EXTENSION)--$(EXTVERSION).sql: $(SQL_PIECES) $(EXTENSION).control
	cat $(SQL_PIECES) > $@

$(EXTENSION)--%--$(EXTVERSION).sql: src/sql/delta/%--$(EXTVERSION).sql $(SQL_CODE_PIECES) $(EXTENSION).control
	cat $< $(SQL_CODE_PIECES) > $@

$(OBJS): $(wildcard src/include/*.h src/*/*.h) $(EXTENSION).control

# make package: a Debian package (debian/, pg_buildext) built from a clean
# copy of the checkout's files under .build/package/, the .deb left there
PKGDIR = .build/package
PKGSRC = $(PKGDIR)/src/$(EXTENSION)-$(EXTVERSION)

.PHONY: test demo bi bench gcsim package fuzz reliability release
test:
	bash test/run.sh test $(TESTS)
# make release: freezes $(EXTVERSION) (its install script and every upgrade
# into it) under src/sql/released/; then raise default_version and start
# src/sql/delta/$(EXTVERSION)--NEXT.sql (README "Upgrading")
release: $(DATA_built)
	@for f in $(DATA_built); do \
		if [ -e src/sql/released/$$f ] && ! cmp -s $$f src/sql/released/$$f; then \
			echo "src/sql/released/$$f exists and differs: $(EXTVERSION) was released already" >&2; exit 1; fi; \
		cp $$f src/sql/released/$$f && echo "froze src/sql/released/$$f"; \
	done
demo:
	bash test/run.sh demo
bi:
	bash test/run.sh exec 'bash bi/build.sh'
bench:
	bash test/run.sh bench $(TESTS)
gcsim:
	$(MAKE) -C test/simulator
fuzz:
	bash test/deps.sh && bash test/fuzz/fuzz.sh all
reliability:
	bash test/run.sh exec 'bash test/reliability/run.sh'
package:
	rm -rf $(PKGDIR)/src && mkdir -p $(PKGSRC)
	git ls-files -co --exclude-standard -z | xargs -0 sh -c 'for f; do [ -e "$$f" ] && printf "%s\0" "$$f"; done' sh \
		| tar --null -T - -cf - | tar -xf - -C $(PKGSRC)
	cd $(PKGSRC) && dpkg-buildpackage -us -uc -b >../build.log 2>&1 || { tail -n 60 ../build.log; exit 1; }
	mv $(PKGDIR)/src/*.deb $(PKGDIR)/
	@ls $(PKGDIR)/*.deb
