# hybridd: RFC 8157 hybrid access client (control plane + bonded data plane).
HYBRIDD_LIB := $(filter-out hybridd/main.c,$(wildcard hybridd/*.c))

PROGS += hybridd
hybridd_SRCS := hybridd/main.c $(HYBRIDD_LIB)
hybridd_LIBS := $(LIBS_PCAP)

COMPONENTS += hybridd
UNIT_hybridd := $(wildcard hybridd/test/test_*.c)
UNIT_hybridd_SRCS := $(HYBRIDD_LIB) hybridd/test/caps.c
UNIT_hybridd_LIBS := $(LIBS_PCAP)

FUZZ_TARGETS += hybrid hybrid_filter
hybrid_FUZZ_SRCS := hybridd/rfc8157_msg.c hybridd/rfc8157_client.c hybridd/frame.c hybridd/dns_aaaa.c $(LIBHGW_SRCS)
hybrid_filter_FUZZ_SRCS := hybridd/rfc8157_msg.c $(LIBHGW_SRCS)
