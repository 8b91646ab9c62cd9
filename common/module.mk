# libhgw and hgwctl.
LIBHGW_SRCS += $(filter-out common/hgwctl.c,$(wildcard common/*.c))

PROGS += hgwctl
hgwctl_SRCS := common/hgwctl.c

COMPONENTS += common
UNIT_common := $(wildcard common/test/test_*.c)
UNIT_common_SRCS := common/test/testutil.c

FUZZ_TARGETS += config state
config_FUZZ_SRCS := $(LIBHGW_SRCS)
state_FUZZ_SRCS := $(LIBHGW_SRCS)
