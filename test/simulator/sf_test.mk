# test/simulator/sf_test.mk - builds sf_test, the unit test of gcsim's
# Salesforce side (world, SOQL engine, sf_handle in-process).
#
#   make -f sf_test.mk [SF_TEST_BIN=path]      standalone
#   include sf_test.mk                         from the gcsim Makefile
#
# The suite test/suites/gcsim_salesforce.sh builds and runs it.

SF_TEST_BIN ?= sf_test
SF_TEST_CFLAGS = -O2 -g -Wall -Wextra -Werror -std=gnu11 -pthread \
	$(shell pkg-config --cflags json-c)
SF_TEST_SRCS = sf_test.c $(filter-out sf_test.c,$(sort $(wildcard sf_*.c))) sim_util.c

$(SF_TEST_BIN): $(SF_TEST_SRCS) $(wildcard sf*.h sim.h)
	$(CC) $(SF_TEST_CFLAGS) -o $@ $(SF_TEST_SRCS) $(shell pkg-config --libs json-c)

.PHONY: sf_test_run
sf_test_run: $(SF_TEST_BIN)
	./$(SF_TEST_BIN) $${TMPDIR:-/tmp}
