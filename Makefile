# SPDX-License-Identifier: MIT
# berth: plain GNU make. Each module folder builds into a static archive; the berth binary, the
# unit tests and the fuzz targets link those archives. Out-of-tree objects under $(BUILD).
#
#   make                      ./berth
#   make deps                 install every Debian package needed to build, test and demo
#   make test                 unit (plain + ASan/UBSan), fuzz corpus replay, integration, residue
#   make SANITIZE=address,undefined BUILD=build/asan check-unit
#   make lint                 clang-format check + cppcheck
#   make fuzz FUZZ_TIME=60    each libFuzzer target for FUZZ_TIME seconds
#   make demo                 the main job (see README)

.DEFAULT_GOAL := all
BERTH_VERSION := 0.1.0
BUILD    ?= build
CC       ?= cc
PKGS     := yaml-0.1 jansson libevent libnl-3.0 libnl-route-3.0 libseccomp libnftables \
            libarchive libcurl libcrypto libcap
MODULES  := orchestrator spec runtime netmgr common

CFLAGS   ?= -O2 -g
CFLAGS   += -std=gnu17 -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wmissing-prototypes \
            -Wstrict-prototypes -Wvla -Wimplicit-fallthrough -fstack-protector-strong \
            -Wno-format-nonliteral
CPPFLAGS += -D_GNU_SOURCE -I. -DBERTH_VERSION='"$(BERTH_VERSION)"' -MMD -MP
ifeq ($(SANITIZE),)
CPPFLAGS += -D_FORTIFY_SOURCE=2
else
CFLAGS   += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all -O1
LDFLAGS  += -fsanitize=$(SANITIZE)
endif
ifneq ($(FUZZ),)
CFLAGS   += -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer -O1
LDFLAGS  += -fsanitize=address,undefined
endif

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
# opened on first use by common/lazylib.c's shims (runtime/lazy_curl.c, runtime/lazy_archive.c,
# netmgr/lazy_nft.c), not at start: every command would pay ~6 ms to load them
LAZY_PKGS  := libcurl libarchive libnftables
PKG_LIBS   := $(shell pkg-config --libs $(filter-out $(LAZY_PKGS),$(PKGS)) 2>/dev/null)
LAZY_LIBS  := $(shell pkg-config --libs $(LAZY_PKGS) 2>/dev/null) # unit tests write archives
CPPFLAGS   += $(PKG_CFLAGS)
LDLIBS     += $(PKG_LIBS) -lpthread

# ---- module archives -------------------------------------------------------------------------
MAIN_SRC := orchestrator/main.c
define module_rules
$(1)_SRCS := $$(filter-out $(MAIN_SRC),$$(wildcard $(1)/*.c))
$(1)_OBJS := $$(patsubst %.c,$(BUILD)/%.o,$$($(1)_SRCS))
$(BUILD)/lib$(1).a: $$($(1)_OBJS)
	@mkdir -p $$(@D)
	@rm -f $$@
	$$(AR) rcs $$@ $$^
endef
$(foreach m,$(MODULES),$(eval $(call module_rules,$(m))))
ARCHIVES := $(foreach m,$(MODULES),$(BUILD)/lib$(m).a)
LINK_ARCHIVES := -Wl,--start-group $(ARCHIVES) -Wl,--end-group

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	@echo "  CC      $<"
	@$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

# ---- the binary ------------------------------------------------------------------------------
.PHONY: all
all: berth

$(BUILD)/berth: $(BUILD)/orchestrator/main.o $(ARCHIVES)
	$(CC) $(LDFLAGS) -o $@ $< $(LINK_ARCHIVES) $(LDLIBS)

berth: $(BUILD)/berth
	@if [ "$(BUILD)" = build ]; then cp -f $< $@; fi

# ---- unit tests (cmocka, one binary per source file) -----------------------------------------
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%,$(UNIT_SRCS))
$(BUILD)/tests/unit/%: $(BUILD)/tests/unit/%.o $(ARCHIVES)
	$(CC) $(LDFLAGS) -o $@ $< $(LINK_ARCHIVES) $(LDLIBS) $(LAZY_LIBS) -lcmocka

.PHONY: unit-bins check-unit
unit-bins: $(UNIT_BINS)
check-unit: unit-bins
	@BUILD=$(BUILD) tests/run.sh unit

# ---- helper programs for tests (static, so they run inside any rootfs) ------------------------
HELPER_SRCS := $(wildcard tests/helpers/*.c)
HELPER_BINS := $(patsubst tests/helpers/%.c,$(BUILD)/tests/helpers/%,$(HELPER_SRCS))
$(BUILD)/tests/helpers/%: tests/helpers/%.c
	@mkdir -p $(@D)
	$(CC) -std=gnu17 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -static -o $@ $<
.PHONY: helper-bins
helper-bins: $(HELPER_BINS)

# ---- fuzz targets ----------------------------------------------------------------------------
FUZZ_SRCS  := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_NAMES := $(patsubst tests/fuzz/fuzz_%.c,%,$(FUZZ_SRCS))
REPLAY_BINS := $(patsubst %,$(BUILD)/tests/fuzz/replay_%,$(FUZZ_NAMES))
FUZZ_BINS  := $(patsubst %,$(BUILD)/tests/fuzz/fuzz_%,$(FUZZ_NAMES))
$(BUILD)/tests/fuzz/replay_%: $(BUILD)/tests/fuzz/fuzz_%.o $(BUILD)/tests/fuzz/standalone_main.o $(ARCHIVES)
	$(CC) $(LDFLAGS) -o $@ $< $(BUILD)/tests/fuzz/standalone_main.o $(LINK_ARCHIVES) $(LDLIBS)
$(BUILD)/tests/fuzz/fuzz_%: $(BUILD)/tests/fuzz/fuzz_%.o $(ARCHIVES)
	$(CC) $(LDFLAGS) -fsanitize=fuzzer -o $@ $< $(LINK_ARCHIVES) $(LDLIBS)
.PHONY: replay-bins fuzz-bins fuzz
replay-bins: $(REPLAY_BINS)
fuzz-bins: $(FUZZ_BINS)
FUZZ_TIME ?= 60
fuzz:
	$(MAKE) BUILD=build/fuzz CC=clang FUZZ=1 fuzz-bins
	@set -e; for n in $(FUZZ_NAMES); do \
	  mkdir -p tests/fuzz/scratch/$$n tests/fuzz/corpus/$$n; \
	  echo "== fuzz $$n for $(FUZZ_TIME)s"; \
	  dict=; [ -f tests/fuzz/dict/$$n.dict ] && dict=-dict=tests/fuzz/dict/$$n.dict; \
	  build/fuzz/tests/fuzz/fuzz_$$n -max_total_time=$(FUZZ_TIME) -rss_limit_mb=2048 \
	    -max_len=65536 -timeout=10 $$dict tests/fuzz/scratch/$$n tests/fuzz/corpus/$$n; \
	done

# ---- test suite ------------------------------------------------------------------------------
.PHONY: test check check-integration
test: deps
	$(MAKE) all unit-bins replay-bins helper-bins
	$(MAKE) BUILD=build/asan SANITIZE=address,undefined unit-bins replay-bins all
	$(MAKE) lint
	tests/run.sh all
check: all unit-bins replay-bins
	BUILD=$(BUILD) tests/run.sh unit fuzz
check-integration: all helper-bins
	tests/run.sh integration

# ---- packages --------------------------------------------------------------------------------
DEB_BUILD := build-essential pkg-config clang libclang-rt-14-dev clang-format clang-tidy cppcheck \
             libyaml-dev libjansson-dev libevent-dev libnl-3-dev libnl-route-3-dev libseccomp-dev \
             libnftables-dev libarchive-dev libcurl4-openssl-dev libssl-dev libcap-dev
DEB_TEST  := libcmocka-dev bats bats-support bats-assert busybox-static iproute2 nftables \
             util-linux attr jq curl openssl rsync procps psmisc ca-certificates \
             docker-registry skopeo umoci mmdebstrap apache2-utils zstd python3 file iperf3 wrk socat
DEB_ALL   := $(DEB_BUILD) $(DEB_TEST)
.PHONY: deps
deps:
	@missing=$$(for p in $(DEB_ALL); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | \
	  grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "make deps: installing" $$missing; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  apt-get update -qq && apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

# ---- lint and format -------------------------------------------------------------------------
C_FILES = $(shell git ls-files '*.c' '*.h' 2>/dev/null)
.PHONY: lint fmt fmt-check check-headers
fmt:
	clang-format -i $(C_FILES)
fmt-check:
	clang-format --dry-run --Werror $(C_FILES)
check-headers:
	@set -e; for h in $(filter %.h,$(C_FILES)); do \
	  printf '#include "%s"\n' "$$h" | $(CC) -std=gnu17 -D_GNU_SOURCE -I. $(PKG_CFLAGS) -fsyntax-only -x c -; done
lint: fmt-check check-headers
	cppcheck -q --std=c11 --enable=warning,performance,portability --inline-suppr \
	  --error-exitcode=1 -D_GNU_SOURCE -I. $(MODULES)

# ---- demo ------------------------------------------------------------------------------------
.PHONY: demo
demo: deps all
	examples/demo.sh

.PHONY: clean
clean:
	rm -rf build berth berth-supervisor

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

# soak
# ---- soak: up/down cycles and crash-restarts, the supervisor's RSS and fds stay flat ----------
.PHONY: soak
SOAK_CYCLES ?= 100
SOAK_RESTARTS ?= 1000
soak: all
	bench/soak.sh $(SOAK_CYCLES) $(SOAK_RESTARTS)

# ---- fault injection (issue 6 section 2) ----------------------------------------------------------
# deny-netlink links libseccomp (it runs on the host, never inside a container).
$(BUILD)/tests/helpers/deny-netlink: tests/helpers/deny-netlink.c
	@mkdir -p $(@D)
	$(CC) -std=gnu17 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -o $@ $< -lseccomp

# ---- mem: berth-supervisor, the supervisor as its own small program ---------------------------
# One section per function so that --gc-sections drops what the supervisor never calls, and with
# it libcurl, libcrypto, libarchive, libyaml and libnftables. The few libraries it uses are linked
# statically (Debian's -dev packages ship the .a): only the objects it needs, no relocated data
# pages per library, and nothing else on the host maps them anyway (docs/performance.md).
override CFLAGS += -ffunction-sections -fdata-sections
SUP_PKGS := jansson libevent libnl-3.0 libnl-route-3.0 libseccomp libcap
SUP_LIBS := -Wl,-Bstatic $(filter-out -lpthread,$(shell pkg-config --libs --static $(SUP_PKGS) \
              2>/dev/null)) -Wl,-Bdynamic -lpthread
$(BUILD)/berth-supervisor: $(BUILD)/orchestrator/bin/berth-supervisor.o $(ARCHIVES)
	$(CC) $(LDFLAGS) -Wl,--gc-sections -Wl,--as-needed -o $@ $< $(LINK_ARCHIVES) $(SUP_LIBS)
berth-supervisor: $(BUILD)/berth-supervisor
	@if [ "$(BUILD)" = build ]; then cp -f $< $@; fi
all: berth-supervisor
# Objects built before the section flags existed must be rebuilt once, or the link above pulls in
# libcrypto and libnftables: the stamp is newer than they are the first time.
$(foreach m,$(MODULES),$($(m)_OBJS)) $(BUILD)/orchestrator/bin/berth-supervisor.o: \
  $(BUILD)/.sections-stamp
$(BUILD)/.sections-stamp:
	@mkdir -p $(@D)
	@touch $@
