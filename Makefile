# SPDX-License-Identifier: GPL-3.0-or-later
# nsboot: a plain Makefile. `make`, `make check`, `make check SANITIZE=1`, `make bench`, `make demo`,
# `make fuzz`, `make stress`.

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
LIBEXECDIR ?= $(PREFIX)/libexec/nsboot
DATADIR ?= $(PREFIX)/share/nsboot
MANDIR ?= $(PREFIX)/share/man
DESTDIR ?=

CC ?= cc
PKG_CONFIG ?= pkg-config
# nsboot-init is the long-running PID 1, exec'd inside the tree after the pivot (where no
# library of the host's is to be found): always static, against musl when Debian's
# musl-tools is there (a smaller footprint than glibc's static binary), else glibc
# -static as Debian builds catatonit; libmount never enters it (the mounts are made by
# nsboot before it execs the init, or by the nsboot-mount helper when nsboot-init runs
# standalone).
MUSL_CC := $(shell command -v musl-gcc 2>/dev/null)

CFLAGS ?= -O2 -g
WARN := -Wall -Wextra -Werror=format-security -Wno-unused-parameter
BASE_CFLAGS := -std=gnu11 $(WARN) -D_FORTIFY_SOURCE=2 -D_GNU_SOURCE -Ilib \
	-DNSB_LIBEXECDIR='"$(LIBEXECDIR)"' -DNSB_DATADIR='"$(DATADIR)"' \
	-ffunction-sections -fdata-sections
LDFLAGS ?=
BASE_LDFLAGS := -Wl,--gc-sections -Wl,--as-needed

MOUNT_CFLAGS := $(shell $(PKG_CONFIG) --cflags mount 2>/dev/null)
MOUNT_LIBS := $(shell $(PKG_CONFIG) --libs mount 2>/dev/null || echo -lmount)
MNL_CFLAGS := $(shell $(PKG_CONFIG) --cflags libmnl 2>/dev/null)
MNL_LIBS := $(shell $(PKG_CONFIG) --libs libmnl 2>/dev/null || echo -lmnl)
# libnftnl: the nftables table of --network=veth's --port (spawn/netfwd.c)
NFTNL_CFLAGS := $(shell $(PKG_CONFIG) --cflags libnftnl 2>/dev/null)
NFTNL_LIBS := $(shell $(PKG_CONFIG) --libs libnftnl 2>/dev/null || echo -lnftnl)
CMOCKA_LIBS := $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null || echo -lcmocka)

ifeq ($(SANITIZE),1)
B := build/san
SAN := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
# nsboot-init runs inside the booted trees, which hold no libasan (a busybox tree no libc
# at all): with musl it stays static and checks undefined behaviour by trapping, which
# needs no run-time library; ASan covers its code through the unit tests (libnsboot.a).
ifneq ($(MUSL_CC),)
INIT_CC := $(MUSL_CC)
INIT_LDFLAGS := -static
INIT_SAN := -fsanitize=undefined -fsanitize-undefined-trap-on-error
else
INIT_CC := $(CC)
INIT_LDFLAGS := -static
INIT_SAN := -fsanitize=undefined -fsanitize-undefined-trap-on-error
endif
else
B := build
SAN :=
INIT_SAN :=
ifneq ($(MUSL_CC),)
INIT_CC := $(MUSL_CC)
# stripped: the file is what people compare with tini's (stripped) package binary
INIT_LDFLAGS := -static -s
else
INIT_CC := $(CC)
INIT_LDFLAGS := -static -s
endif
endif

ALL_CFLAGS = $(BASE_CFLAGS) $(SAN) $(CFLAGS)
ALL_LDFLAGS = $(BASE_LDFLAGS) $(SAN) $(LDFLAGS)
# -Os: the idle PID 1's resident memory is mostly its own file pages (the kernel maps
# 64 kB around each fault), and its loop waits on system calls, not on code speed.
INIT_OPT ?= -Os
INIT_CFLAGS = $(BASE_CFLAGS) $(INIT_SAN) $(CFLAGS) $(INIT_OPT)
INIT_ALL_LDFLAGS = $(BASE_LDFLAGS) $(INIT_SAN) $(LDFLAGS)

# Every folder's main.c is a program's main; the rest is library code.
LIB_SRC := $(wildcard lib/*.c)
INIT_SRC := $(filter-out init/main.c,$(wildcard init/*.c))
MOUNT_SRC := $(filter-out mounts/main.c,$(wildcard mounts/*.c))
SPAWN_SRC := $(filter-out spawn/main.c,$(wildcard spawn/*.c))
CORE_SRC := $(LIB_SRC) $(INIT_SRC) $(MOUNT_SRC) $(SPAWN_SRC)

GOBJ = $(patsubst %.c,$(B)/obj/%.o,$(1))
IOBJ = $(patsubst %.c,$(B)/iobj/%.o,$(1))

UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(patsubst tests/unit/%.c,$(B)/tests/unit/%,$(UNIT_SRC))
HELPER_SRC := $(wildcard tests/helpers/*.c)
HELPER_BIN := $(patsubst tests/helpers/%.c,$(B)/tests/helpers/%,$(HELPER_SRC))

PROGS := $(B)/nsboot $(B)/nsboot-init $(B)/nsboot-mount $(B)/nsboot-test

.PHONY: helpers all check check-unit check-integration check-system check-sanitize bench demo install clean deps \
	fuzz fuzz-build fuzz-run stress stress-ci
all: $(PROGS)

# glibc objects (nsboot, nsboot-mount, unit tests)
$(B)/obj/%.o: %.c $(wildcard lib/*.h init/*.h mounts/*.h spawn/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(MOUNT_CFLAGS) $(MNL_CFLAGS) $(NFTNL_CFLAGS) -c $< -o $@

# objects of the PID-1 binary (musl when available)
$(B)/iobj/%.o: %.c $(wildcard lib/*.h init/*.h)
	@mkdir -p $(dir $@)
	$(INIT_CC) $(INIT_CFLAGS) -c $< -o $@

$(B)/libnsboot.a: $(call GOBJ,$(CORE_SRC))
	@rm -f $@
	$(AR) rcs $@ $^

$(B)/nsboot-init: $(call IOBJ,init/main.c $(INIT_SRC) $(LIB_SRC))
	$(INIT_CC) $(INIT_ALL_LDFLAGS) $(INIT_LDFLAGS) $^ -o $@

$(B)/nsboot-mount: $(call GOBJ,mounts/main.c) $(B)/libnsboot.a
	$(CC) $(ALL_LDFLAGS) $^ $(MOUNT_LIBS) -o $@

$(B)/nsboot: $(call GOBJ,spawn/main.c) $(B)/libnsboot.a
	$(CC) $(ALL_LDFLAGS) $^ $(MOUNT_LIBS) $(NFTNL_LIBS) $(MNL_LIBS) -o $@

# the test runner (nsboot test) is a shell script, found next to nsboot as nsboot-init is
$(B)/nsboot-test: runner/nsboot-test
	@mkdir -p $(dir $@)
	install -m 755 $< $@

# A unit test may name extra link flags in tests/unit/NAME.ldflags: system calls are faked
# one way, -Wl,--wrap=FUNCTION (libc's fork, or mounts/ops.h's nsb_sys_NAME functions).
$(UNIT_BIN): $(wildcard tests/unit/*.ldflags)
$(B)/tests/unit/%: tests/unit/%.c $(B)/libnsboot.a $(wildcard tests/unit/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(MOUNT_CFLAGS) -Itests/unit $< -o $@ $(ALL_LDFLAGS) \
		$(shell cat tests/unit/$*.ldflags 2>/dev/null) $(B)/libnsboot.a $(MOUNT_LIBS) $(NFTNL_LIBS) $(MNL_LIBS) \
		$(CMOCKA_LIBS)

# Helpers are the tests' scaffolding, not the project's code: never sanitized. LeakSanitizer
# in a helper that made a pid namespace (init-spawner -p) starts its exit-time tracer in
# that namespace, where it cannot see its parent: the helper then spins at exit forever.
$(B)/tests/helpers/%: tests/helpers/%.c
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) $(CFLAGS) $< -o $@ $(BASE_LDFLAGS) $(LDFLAGS)

# attack and udp-echo run inside the booted trees, and a busybox tree has no libc: they
# are linked static, against musl when musl-gcc is there (as nsboot-init).
ATTACK_CC := $(if $(MUSL_CC),$(MUSL_CC),$(CC))
$(B)/tests/helpers/attack $(B)/tests/helpers/udp-echo: $(B)/tests/helpers/%: tests/helpers/%.c
	@mkdir -p $(dir $@)
	$(ATTACK_CC) $(BASE_CFLAGS) $(CFLAGS) $< -o $@ -static $(BASE_LDFLAGS) $(LDFLAGS)

# README's test command: installs what is missing (as root), then a fresh make re-reads
# the tool chain (musl-gcc may just have arrived) and runs every test.
check: deps
	$(MAKE) check-unit check-integration check-system

check-unit: $(UNIT_BIN)
	@set -e; for t in $(UNIT_BIN); do echo "# $$t"; $$t; done

# A file that runs longer than FILE_GUARD seconds (a hang the tests' own guards missed) is
# killed and fails, so that one hang cannot eat CI's time; a file that builds a Debian
# tree into an empty cache takes a few minutes.
FILE_GUARD ?= 900
check-integration: $(PROGS) $(HELPER_BIN)
	NSB_BUILD=$(abspath $(B)) NSB_SRC=$(CURDIR) prove -f --timer $(PROVE_FLAGS) \
		--exec 'timeout -k 10 $(FILE_GUARD) bash' tests/integ/

# Stress and fault tests (tests/stress, as root; not part of `make check`): random kills,
# many containers at once, start/stop cycles, hanging setups. STRESS_SCALE=1 runs the
# full counts, STRESS_SCALE=ci (`make stress-ci`) a slice of a few minutes, a factor
# (0.5) a share of the full counts.
STRESS_SCALE ?= 1
STRESS_GUARD ?= 7200
# The example system tests (tests/system, as root): nsboot test runs them, two at a time,
# in a network namespace of their own (their zones' bridges are made there).
check-system: $(PROGS)
	unshare -n $(B)/nsboot test -j 2 $(CHECK_SYSTEM_FLAGS) tests/system/*.t

stress: $(PROGS) $(HELPER_BIN)
	NSB_BUILD=$(abspath $(B)) NSB_SRC=$(CURDIR) NSB_STRESS_SCALE=$(STRESS_SCALE) \
		prove -f --timer $(PROVE_FLAGS) --exec 'timeout -k 10 $(STRESS_GUARD) bash' tests/stress/

stress-ci:
	$(MAKE) stress STRESS_SCALE=ci STRESS_GUARD=$(FILE_GUARD)

# Unit and integration tests again under ASan+UBSan (glibc build of every program).
check-sanitize: deps
	$(MAKE) SANITIZE=1 check-unit check-integration

bench:
	scripts/install-deps bench
	$(MAKE) all helpers
	scripts/bench

demo: deps
	$(MAKE) all
	scripts/demo

helpers: $(HELPER_BIN)

# libFuzzer targets (tests/fuzz/fuzz_NAME.c, seeds in tests/fuzz/corpus/NAME), built by
# clang with ASan+UBSan into build/fuzz, each run for FUZZ_SECONDS; what they find (and
# the corpus they grow) stays under build/fuzz. Not part of `make check`.
FUZZ_SECONDS ?= 60
FUZZ_CC ?= clang
FZ := build/fuzz
FUZZ_CFLAGS := -std=gnu11 $(WARN) -D_GNU_SOURCE -Ilib -g -O1 -fno-omit-frame-pointer \
	-fsanitize=address,undefined -fno-sanitize-recover=undefined
# the parsers the targets reach, with the logger their error idiom needs
FUZZ_LIB_SRC := $(LIB_SRC) mounts/fstab.c spawn/idmap.c spawn/users.c spawn/passwd.c spawn/machine.c
FUZZ_NAMES := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BIN := $(patsubst %,$(FZ)/fuzz_%,$(FUZZ_NAMES))
# libFuzzer's inputs stay under 4096 bytes unless told: the codec refuses records over
# NSB_PROTO_MAX (4096), and fstab lines may be longer than any fixed buffer
FUZZ_MAX_LEN_proto := 4200
FUZZ_MAX_LEN_fstab := 8192

$(FZ)/obj/%.o: %.c $(wildcard lib/*.h mounts/*.h spawn/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link $(MOUNT_CFLAGS) -c $< -o $@

$(FZ)/libnsboot-fuzz.a: $(patsubst %.c,$(FZ)/obj/%.o,$(FUZZ_LIB_SRC))
	@rm -f $@
	$(AR) rcs $@ $^

$(FZ)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(FZ)/libnsboot-fuzz.a
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer $(MOUNT_CFLAGS) -Itests/fuzz $< -o $@ \
		$(FZ)/libnsboot-fuzz.a $(MOUNT_LIBS)

# `make fuzz FUZZ_SECONDS=20` is the short slice; with -j2 two targets run at once.
fuzz:
	scripts/install-deps fuzz
	$(MAKE) fuzz-run

fuzz-build: $(FUZZ_BIN)

fuzz-run: $(addprefix fuzz-run-,$(FUZZ_NAMES))

# One target's run: its log in build/fuzz/NAME.log, one line of libFuzzer's final stats,
# or on a failure the end of the log and the saved input, and make fails.
fuzz-run-%: $(FZ)/fuzz_%
	@mkdir -p $(FZ)/corpus/$* $(FZ)/artifacts/$*
	@echo "fuzz_$*: running for $(FUZZ_SECONDS) s"
	@if $< -max_total_time=$(FUZZ_SECONDS) -max_len=$(or $(FUZZ_MAX_LEN_$*),4096) -print_final_stats=1 \
		-artifact_prefix=$(FZ)/artifacts/$*/ $(FZ)/corpus/$* tests/fuzz/corpus/$* \
		>$(FZ)/$*.log 2>&1; then \
		awk '/^stat::number_of_executed_units:/ { n = $$2 } \
		     /^stat::average_exec_per_sec:/ { r = $$2 } \
		     /^stat::peak_rss_mb:/ { m = $$2 } \
		     END { printf "fuzz_$*: %s executions (%s/s), peak RSS %s MB\n", n, r, m }' \
		     $(FZ)/$*.log; \
	else \
		tail -n 40 $(FZ)/$*.log; \
		echo "fuzz_$*: FAILED (log $(FZ)/$*.log, input saved in $(FZ)/artifacts/$*/)"; \
		exit 1; \
	fi

deps:
	scripts/install-deps

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBEXECDIR) $(DESTDIR)$(DATADIR) \
		$(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man8
	install -m 755 $(B)/nsboot $(B)/nsboot-init $(DESTDIR)$(BINDIR)/
	install -m 755 $(B)/nsboot-mount $(B)/nsboot-test $(DESTDIR)$(LIBEXECDIR)/
	install -m 644 data/* $(DESTDIR)$(DATADIR)/
	-install -m 644 man/*.1 $(DESTDIR)$(MANDIR)/man1/
	-install -m 644 man/*.8 $(DESTDIR)$(MANDIR)/man8/

clean:
	rm -rf build
