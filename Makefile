# hgw — top-level build.  GNU make.
#
#   make                    build every daemon into build/bin/
#   make test [T=name]      unit + integration tests (T: common netlinkd dhcp pppoed
#                           lte-modemd hybridd netdumpd vm lab)
#   make check              unit tests under AddressSanitizer + UBSan
#   make fuzz [FUZZ_TIME=s] every fuzz target for a bounded time (libFuzzer, clang)
#   make bench              benchmarks (see docs/benchmarks.md)
#   make lab [ONCE=1]       the whole provider in namespaces, hgw against it
#   make install            DESTDIR, PREFIX honoured
#   make image              Raspberry Pi SD-card image (root; see docs/image.md)
#   make test-image         boot that image under qemu-system-aarch64 and check it
#   make CROSS_COMPILE=aarch64-linux-gnu-   arm64 (Raspberry Pi) build, see README
#
# Each component describes itself in DIR/module.mk; this file holds only the
# generic rules.

VERSION := 0.1.0
BUILD ?= build
PREFIX ?= /usr/local
DESTDIR ?=
CROSS_COMPILE ?=
CC := $(CROSS_COMPILE)gcc
AR := $(CROSS_COMPILE)ar
PKG_CONFIG ?= $(if $(CROSS_COMPILE),$(CROSS_COMPILE)pkg-config,pkg-config)
PYTHON ?= /usr/bin/python3
CLANG ?= clang
FUZZ_TIME ?= 20

CFLAGS ?= -O2 -g
CFLAGS += -Wall -Wextra -Werror -std=gnu11 -D_GNU_SOURCE -Icommon -MMD -MP \
	-DHGW_VERSION='"$(VERSION)"'
LDFLAGS ?=
ifeq ($(SAN),1)
CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS += -fsanitize=address,undefined
endif

pc = $(shell $(PKG_CONFIG) --libs $(1) 2>/dev/null || echo $(2))
LIBS_JSON := $(call pc,jansson,-ljansson)
LIBS_MNL := $(call pc,libmnl,-lmnl)
LIBS_PCAP := $(call pc,libpcap,-lpcap)
LIBS_SSH := $(call pc,libssh,-lssh)
LIBS_EV := -lev
LIBS_BASE := $(LIBS_JSON) $(LIBS_EV)

.DEFAULT_GOAL := all

# Filled by the module.mk files.
PROGS :=
COMPONENTS :=
FUZZ_TARGETS :=
LIBHGW_SRCS :=

# Defined before the modules so their explicit rules can use them.
OBJ = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))
LIBHGW := $(BUILD)/libhgw.a

include common/module.mk
include $(filter-out common/module.mk,$(wildcard */module.mk))

.PHONY: all test test-vm check unit fuzz bench lab install clean deps image test-image
all: $(addprefix $(BUILD)/bin/,$(PROGS))

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c $< -o $@

$(LIBHGW): $(call OBJ,$(LIBHGW_SRCS))
	@mkdir -p $(@D)
	$(AR) rcs $@ $^

# Programs: NAME_SRCS, NAME_LIBS.
define prog_rule
$(BUILD)/bin/$(1): $(call OBJ,$($(1)_SRCS)) $(LIBHGW)
	@mkdir -p $$(@D)
	$$(CC) $$(LDFLAGS) -o $$@ $$^ $($(1)_LIBS) $$(LIBS_BASE)
endef
$(foreach p,$(PROGS),$(eval $(call prog_rule,$(p))))

# Unit tests: component C has UNIT_C (test_*.c files, one binary each),
# UNIT_C_SRCS (code under test besides libhgw) and UNIT_C_LIBS.
define unit_rule
$(BUILD)/test/$(1)/$(basename $(notdir $(2))): $(call OBJ,$(2) $(UNIT_$(1)_SRCS)) $(LIBHGW)
	@mkdir -p $$(@D)
	$$(CC) $$(LDFLAGS) -o $$@ $$^ -lcmocka $(UNIT_$(1)_LIBS) $$(LIBS_BASE)
UNIT_BINS += $(BUILD)/test/$(1)/$(basename $(notdir $(2)))
endef
UNIT_BINS :=
$(foreach c,$(COMPONENTS),$(foreach t,$(UNIT_$(c)),$(eval $(call unit_rule,$(c),$(t)))))

unit: $(UNIT_BINS)

# T=name limits the run to one component.
test: all unit
	$(PYTHON) tests/run.py --build $(BUILD) $(if $(T),--only $(T))

# The Debian-kernel VM suite alone (tests/vm, see tests/vm/README.md).
test-vm: all
	$(PYTHON) tests/run.py --build $(BUILD) --only vm

# The image build needs root and Debian's mirror; the base root filesystem is
# cached in $(BUILD)/image by the hash of its inputs (image/build).
image:
	image/build $(BUILD)/image

test-image: image
	$(PYTHON) tests/run.py --build $(BUILD) --only image

check:
	$(MAKE) BUILD=build/san SAN=1 unit
	$(PYTHON) tests/run.py --build build/san --unit-only $(if $(T),--only $(T))

# Fuzz targets: fuzz/fuzz_NAME.c plus NAME_FUZZ_SRCS, built with clang.
FUZZ_CFLAGS := -g -O1 -fsanitize=fuzzer,address,undefined -std=gnu11 -D_GNU_SOURCE -Icommon \
	-Wall -Wextra -Werror
define fuzz_rule
$(BUILD)/fuzz/fuzz_$(1): fuzz/fuzz_$(1).c $($(1)_FUZZ_SRCS)
	@mkdir -p $$(@D)
	$$(CLANG) $$(FUZZ_CFLAGS) -o $$@ $$^ $$(LIBS_BASE) $($(1)_FUZZ_LIBS)
endef
$(foreach f,$(FUZZ_TARGETS),$(eval $(call fuzz_rule,$(f))))

fuzz: $(addprefix $(BUILD)/fuzz/fuzz_,$(FUZZ_TARGETS))
	@for f in $(FUZZ_TARGETS); do \
		mkdir -p $(BUILD)/fuzz/corpus/$$f; \
		echo "fuzz: $$f for $(FUZZ_TIME)s"; \
		$(BUILD)/fuzz/fuzz_$$f -max_total_time=$(FUZZ_TIME) -print_final_stats=1 \
			-artifact_prefix=$(BUILD)/fuzz/ $(BUILD)/fuzz/corpus/$$f fuzz/corpus/$$f \
			2>$(BUILD)/fuzz/$$f.log || { tail -40 $(BUILD)/fuzz/$$f.log; exit 1; }; \
		grep -E "stat::number_of_executed_units|cov:" $(BUILD)/fuzz/$$f.log | tail -2; \
	done

bench: all $(addprefix $(BUILD)/bench/,$(BENCH_PROGS))
	$(PYTHON) bench/run.py --build $(BUILD)

lab: all
	@if [ -x lab/run ]; then lab/run $(if $(ONCE),--once); \
	else echo "make lab: the lab (issue 10) is not built yet; see README" >&2; exit 2; fi

deps:
	scripts/deps

install: all
	install -d $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(PREFIX)/share/doc/hgw/configs
	install -m 0755 $(addprefix $(BUILD)/bin/,$(PROGS)) $(DESTDIR)$(PREFIX)/sbin/
	$(if $(wildcard configs/*.json),install -m 0644 $(wildcard configs/*.json) $(DESTDIR)$(PREFIX)/share/doc/hgw/configs/)
	install -m 0644 docs/*.md $(DESTDIR)$(PREFIX)/share/doc/hgw/

clean:
	rm -rf build

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
