# Makefile - ledgerd, ledger, ledger-audit and libmerkle. GNU make, no configure.
#
#   make            build everything into build/
#   make run        start ledgerd on its embedded default (./var, 127.0.0.1:8080)
#   make test       build and run every test (prints "N passed, N failed")
#   make check-asan the whole suite under ASan+UBSan (build-asan/)
#   make bench      every benchmark, each figure beside its limit
#   make fuzz       every libFuzzer target for FUZZTIME seconds (build-fuzz/)
#   make mutate     deliberate bugs, one at a time: the tests must catch them
#   make install    PREFIX=/usr/local DESTDIR=
#
# Overridable: CC CFLAGS LDFLAGS WERROR (CI sets WERROR=-Werror) PREFIX DESTDIR.

CC	?= cc
CFLAGS	?= -O2 -g
WERROR	?=
PREFIX	?= /usr/local
DESTDIR	?=
B	?= build

WARN	= -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	  -Wmissing-declarations -Wpointer-arith -Wformat=2 -Wvla -Wundef \
	  -Wwrite-strings -Wnull-dereference -Wimplicit-fallthrough
PKGS	= libcrypto libssl lmdb libevent libevent_pthreads libevent_openssl \
	  msgpack jansson
ALL_CFLAGS = -std=c11 -D_DEFAULT_SOURCE -D_GNU_SOURCE $(WARN) $(WERROR) \
	  $(CFLAGS) -MMD -MP
INC	= -Imerkle -Icommon
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)

MERKLE_SRC = $(wildcard merkle/*.c)
COMMON_SRC = $(wildcard common/*.c)
LEDGERD_SRC = $(wildcard ledgerd/*.c)
CLIENT_SRC = $(wildcard client/*.c)
AUDIT_SRC  = $(wildcard audit/*.c)
UNIT_SRC   = $(wildcard tests/unit/t_*.c)
BENCH_SRC  = $(wildcard tests/bench/b_*.c)

obj	= $(patsubst %.c,$(B)/%.o,$(1))
LIBMERKLE = $(B)/libmerkle.a
LIBCOMMON = $(B)/libcommon.a
PROGS	= $(if $(LEDGERD_SRC),$(B)/bin/ledgerd) $(if $(CLIENT_SRC),$(B)/bin/ledger) \
	  $(if $(AUDIT_SRC),$(B)/bin/ledger-audit)
UNITS	= $(patsubst tests/unit/%.c,$(B)/tests/%,$(UNIT_SRC))
BENCHES	= $(patsubst tests/bench/%.c,$(B)/bench/%,$(BENCH_SRC))

.PHONY: all deps run test check check-asan check-valgrind bench lint mutate \
	install uninstall \
	clean fuzz fuzz-build fuzz-smoke
all: deps $(LIBMERKLE) $(if $(COMMON_SRC),$(LIBCOMMON)) $(PROGS) $(UNITS) \
	$(B)/tests/mklog

# Every compile waits for it (order-only), so "make -j" on a fresh machine
# installs the libraries before the first file that includes them.
deps:
	@sh tools/deps.sh

$(B)/%.o: %.c | deps
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(INC) $(PKG_CFLAGS) -c $< -o $@

$(LIBMERKLE): $(call obj,$(MERKLE_SRC))
	@rm -f $@
	$(AR) rcs $@ $^

$(LIBCOMMON): $(call obj,$(COMMON_SRC))
	@rm -f $@
	$(AR) rcs $@ $^

$(B)/bin/ledgerd: $(call obj,$(LEDGERD_SRC)) $(LIBCOMMON) $(LIBMERKLE)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lpthread

$(B)/bin/ledger: $(call obj,$(CLIENT_SRC)) $(LIBCOMMON) $(LIBMERKLE)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lpthread

$(B)/bin/ledger-audit: $(call obj,$(AUDIT_SRC)) $(LIBCOMMON) $(LIBMERKLE)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lpthread

# The merkle tests (one per file of merkle/) link libmerkle, their shared
# references (tests/fixture/merkleref.c) and libcrypto only: a stray LMDB
# or libevent call in merkle/ fails here, at link time.
MERKLE_TESTS = $(filter $(B)/tests/t_merkle_%,$(UNITS))
$(MERKLE_TESTS): $(B)/tests/t_merkle_%: $(B)/tests/unit/t_merkle_%.o \
	  $(B)/tests/fixture/merkleref.o $(LIBMERKLE)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ -lcrypto
# The client tests link the client library (client/ minus its commands
# and what they share, cmd.c).
CLIENT_LIB = $(call obj,$(filter-out client/main.c client/cmd.c client/cmd_%.c,\
	  $(CLIENT_SRC)))
$(B)/tests/t_account $(B)/tests/t_client: $(B)/tests/t_%: \
	  $(B)/tests/unit/t_%.o $(CLIENT_LIB) $(LIBCOMMON) $(LIBMERKLE)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lpthread
# The rules' state cache is ledgerd's own (ledgerd/rcache.c).
$(B)/tests/t_rcache: $(B)/tests/unit/t_rcache.o $(B)/ledgerd/rcache.o \
	  $(LIBCOMMON) $(LIBMERKLE)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lpthread
# Tests of the rules over the in-memory state (tests/fixture/memrules.c),
# linked before the libraries it calls.
$(B)/tests/t_rules $(B)/tests/t_protocol: $(B)/tests/t_%: \
	  $(B)/tests/unit/t_%.o $(B)/tests/fixture/memrules.o \
	  $(if $(COMMON_SRC),$(LIBCOMMON)) $(LIBMERKLE)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lpthread
# The ledger core's tests link ledgerd's writer and queues, not its HTTP
# layer: an HTTP call below the route layer fails here, at link time.
LEDGERD_CORE = $(call obj,ledgerd/core.c ledgerd/seq.c ledgerd/cp.c ledgerd/rcache.c \
	  ledgerd/metrics.c ledgerd/export.c)
$(B)/tests/t_core: $(B)/tests/unit/t_core.o $(LEDGERD_CORE) $(LIBCOMMON) \
	  $(LIBMERKLE)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lpthread
$(B)/tests/unit/t_core.o: tests/unit/t_core.c | deps
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(INC) -Itests -Iledgerd $(PKG_CFLAGS) -c $< -o $@
# The witness's tests link its decision and state store, not the rest
# of ledger-audit (no HTTP, no mirror).
WITNESS_CORE = $(call obj,audit/witness_core.c audit/witness_state.c)
$(B)/tests/t_witness: $(B)/tests/unit/t_witness.o $(WITNESS_CORE) \
	  $(LIBCOMMON) $(LIBMERKLE)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lpthread
$(B)/tests/unit/t_witness.o: tests/unit/t_witness.c | deps
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(INC) -Itests -Iaudit $(PKG_CFLAGS) -c $< -o $@
$(B)/tests/t_%: $(B)/tests/unit/t_%.o $(if $(COMMON_SRC),$(LIBCOMMON)) $(LIBMERKLE)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lpthread
# cosign appends cosignature/v1 lines to a checkpoint for tests/e2e/policy.sh.
$(B)/tests/cosign: $(B)/tests/tools/cosign.o $(LIBCOMMON) $(LIBMERKLE)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lpthread
all: $(B)/tests/cosign
# mklog writes honest and dishonest static logs for tests/e2e/audit.sh.
$(B)/tests/mklog: $(B)/tests/tools/mklog.o $(LIBCOMMON) $(LIBMERKLE)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lpthread
$(B)/tests/unit/%.o: tests/unit/%.c | deps
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(INC) -Itests -Iclient -Iledgerd $(PKG_CFLAGS) \
	    -c $< -o $@
# Fixtures the unit tests share (tests/fixture/: in-memory stand-ins).
$(B)/tests/fixture/%.o: tests/fixture/%.c tests/fixture/%.h | deps
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(INC) -Itests -Iclient -Iledgerd $(PKG_CFLAGS) \
	    -c $< -o $@

# Benches link the bench helpers (tests/bench/*.c that are not b_*: the
# load generator, the private ledgerd), the client library and ledgerd's
# checkpoint signer.
BENCH_LIB = $(patsubst %.c,$(B)/%.o,$(filter-out $(BENCH_SRC),\
	  $(wildcard tests/bench/*.c))) $(if $(CLIENT_SRC),$(B)/client/client.o) \
	  $(if $(LEDGERD_SRC),$(B)/ledgerd/cp.o)
.SECONDARY: $(patsubst %.c,$(B)/%.o,$(wildcard tests/bench/*.c))
$(B)/bench/b_%: $(B)/tests/bench/b_%.o $(BENCH_LIB) \
	  $(if $(COMMON_SRC),$(LIBCOMMON)) $(LIBMERKLE)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lpthread
$(B)/tests/bench/%.o: tests/bench/%.c | deps
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(INC) -Itests -Iclient -Iledgerd $(PKG_CFLAGS) \
	    -c $< -o $@

# Small tools the end-to-end tests use.
$(B)/tests/holdconns: tests/tools/holdconns.c | deps
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $<
all: $(B)/tests/holdconns
# policycheck: policy_check on a checkpoint file (tests/e2e/witness.sh).
$(B)/tests/policycheck: $(B)/tests/tools/policycheck.o $(LIBCOMMON) \
	  $(LIBMERKLE)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lpthread
all: $(B)/tests/policycheck
# jsvectors: the C verdicts the JavaScript library must give
# (tests/e2e/js.sh); it links the client library for `ledger verify`'s.
$(B)/tests/jsvectors: $(B)/tests/tools/jsvectors.o $(CLIENT_LIB) \
	  $(LIBCOMMON) $(LIBMERKLE)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lpthread
$(B)/tests/tools/jsvectors.o: tests/tools/jsvectors.c | deps
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(INC) -Iclient $(PKG_CFLAGS) -c $< -o $@
all: $(B)/tests/jsvectors
# failio.so is preloaded into ledgerd and ledger (LD_PRELOAD): no CFLAGS, so
# an ASan build's shim does not bring a second copy of the sanitizer runtime.
$(B)/tests/failio.so: tests/tools/failio.c | deps
	@mkdir -p $(@D)
	$(CC) -std=c11 -D_GNU_SOURCE $(WARN) $(WERROR) -O2 -g -fPIC -shared \
	    -o $@ $< -ldl
all: $(B)/tests/failio.so

run: all
	@sh tools/run.sh $(B)

test: all
	@B=$(B) sh tests/run.sh

check: test

check-asan: deps
	$(MAKE) B=build-asan CFLAGS="-O1 -g -fsanitize=address,undefined \
	    -fno-omit-frame-pointer -fno-sanitize-recover=all" \
	    LDFLAGS="-fsanitize=address,undefined" test

# The server end-to-end tests with ledgerd under valgrind: no errors, no
# definite leaks (exit status 99 otherwise, which the tests catch).
check-valgrind: all
	@DEPS_EXTRA=valgrind sh tools/deps.sh
	@rm -f $(B)/test-logs/vg-*.log; mkdir -p $(B)/test-logs
	@B=$(B) TESTS=e2e-vg LEDGER_MAP_SIZE=4294967296 \
	    LEDGERD_WRAP="valgrind -q --error-exitcode=99 --leak-check=full \
	    --errors-for-leak-kinds=definite --show-leak-kinds=definite \
	    --log-file=$(abspath $(B))/test-logs/vg-%p.log" \
	    sh tests/run-valgrind.sh

bench: all $(BENCHES)
	@B=$(B) sh tests/bench/run.sh

# Fuzzing (docs/fuzzing.md): one libFuzzer binary per tests/fuzz/f_*.c,
# built with clang into build-fuzz/ with the parsers' sources (not the
# mains). Each runs FUZZTIME seconds on a scratch copy of its seed corpus
# (tests/fuzz/corpus/NAME); FUZZ=pattern runs only the matching targets.
FUZZTIME ?= 60
FB	 = build-fuzz
FUZZ_CC	 = clang
FUZZ_SAN = -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZ_CFLAGS = -std=c11 -D_DEFAULT_SOURCE -D_GNU_SOURCE $(WARN) \
	  -g -O1 -fno-omit-frame-pointer $(FUZZ_SAN) -MMD -MP
FUZZ_LIB_SRC = $(MERKLE_SRC) $(COMMON_SRC) ledgerd/query.c client/input.c \
	  audit/witness_core.c audit/witness_state.c
FUZZ_LIB_OBJ = $(patsubst %.c,$(FB)/%.o,$(FUZZ_LIB_SRC))
FUZZERS	 = $(patsubst tests/fuzz/%.c,$(FB)/%,$(wildcard tests/fuzz/f_*.c))
.SECONDARY: $(FUZZ_LIB_OBJ) $(patsubst $(FB)/%,$(FB)/tests/fuzz/%.o,$(FUZZERS))

fuzz:
	@DEPS_EXTRA="clang libclang-rt-14-dev" sh tools/deps.sh
	@$(MAKE) --no-print-directory fuzz-build
	@FUZZTIME=$(FUZZTIME) FUZZ="$(FUZZ)" sh tests/fuzz/run.sh $(FB) $(FUZZERS)

fuzz-smoke:
	@$(MAKE) --no-print-directory fuzz FUZZTIME=10

fuzz-build: $(FUZZERS)

$(FB)/f_%: $(FB)/tests/fuzz/f_%.o $(FUZZ_LIB_OBJ)
	$(FUZZ_CC) -g -O1 $(FUZZ_SAN) -o $@ $^ $(PKG_LIBS) -lpthread
$(FB)/tests/fuzz/%.o: tests/fuzz/%.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(INC) -Iledgerd -Iclient -Iaudit $(PKG_CFLAGS) \
	    -c $< -o $@
$(FB)/%.o: %.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(INC) $(PKG_CFLAGS) -c $< -o $@

# Each outside library is included by one module only.
lint:
	@sh tools/lint.sh

# Mutation testing (docs/hacking.md): each deliberate bug of
# tools/mutants.txt in a scratch copy, built and tested; prints the kill
# rate. Not part of make test (about half an hour). MUTANTS=pattern.
mutate:
	@sh tools/mutate.sh $(MUTANTS)

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib \
	    $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/lib/pkgconfig
	$(if $(PROGS),install -m 0755 $(PROGS) $(DESTDIR)$(PREFIX)/bin)
	install -m 0644 $(LIBMERKLE) $(DESTDIR)$(PREFIX)/lib
	install -m 0644 merkle/merkle.h $(DESTDIR)$(PREFIX)/include
	sed 's|@PREFIX@|$(PREFIX)|' merkle/merkle.pc.in \
	    > $(DESTDIR)$(PREFIX)/lib/pkgconfig/merkle.pc

uninstall:
	rm -f $(addprefix $(DESTDIR)$(PREFIX)/bin/,ledgerd ledger ledger-audit)
	rm -f $(DESTDIR)$(PREFIX)/lib/libmerkle.a \
	    $(DESTDIR)$(PREFIX)/include/merkle.h \
	    $(DESTDIR)$(PREFIX)/lib/pkgconfig/merkle.pc

clean:
	rm -rf build build-asan build-fuzz

-include $(shell find $(B) -name '*.d' 2>/dev/null)
-include $(shell find $(FB) -name '*.d' 2>/dev/null)
