# netlinkd: the one process that configures the kernel (issue 3).
PROGS += netlinkd
netlinkd_SRCS := netlinkd/main.c $(filter-out netlinkd/main.c,$(wildcard netlinkd/*.c))
netlinkd_LIBS := $(LIBS_MNL)

COMPONENTS += netlinkd
UNIT_netlinkd := $(wildcard netlinkd/test/test_*.c)
UNIT_netlinkd_SRCS := $(filter-out netlinkd/main.c,$(wildcard netlinkd/*.c)) netlinkd/test/nltest.c
UNIT_netlinkd_LIBS := $(LIBS_MNL)

# Parsers of untrusted input: the state files and config as netlinkd reads
# them, through desired-state computation and diff.
FUZZ_TARGETS += netlinkd
netlinkd_FUZZ_SRCS := $(filter-out netlinkd/main.c netlinkd/backend_kernel.c netlinkd/backend_nft.c netlinkd/backend_mptcp.c,$(wildcard netlinkd/*.c)) $(LIBHGW_SRCS)
netlinkd_FUZZ_LIBS := $(LIBS_MNL)
