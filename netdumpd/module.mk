# netdumpd: control traffic of every interface, streamed as pcapng over SSH (issue 9).
NETDUMPD_LIB := $(filter-out netdumpd/main.c,$(wildcard netdumpd/*.c))

PROGS += netdumpd
netdumpd_SRCS := netdumpd/main.c $(NETDUMPD_LIB)
netdumpd_LIBS := $(LIBS_PCAP) $(LIBS_SSH) -lcrypt

COMPONENTS += netdumpd
UNIT_netdumpd := $(wildcard netdumpd/test/test_*.c)
UNIT_netdumpd_SRCS := $(NETDUMPD_LIB)
UNIT_netdumpd_LIBS := $(LIBS_PCAP) $(LIBS_SSH) -lcrypt

# The I/O-free parts that take outside input: the command line a client
# sends, authorized_keys, AT datagrams, and the ring/stream/pcapng path.
FUZZ_TARGETS += netdump
netdump_FUZZ_SRCS := netdumpd/ring.c netdumpd/ifreg.c netdumpd/pcapng.c netdumpd/stream.c \
	netdumpd/filter.c netdumpd/command.c netdumpd/authkeys.c netdumpd/atpdu.c $(LIBHGW_SRCS)
netdump_FUZZ_LIBS := $(LIBS_PCAP) $(LIBS_SSH)
