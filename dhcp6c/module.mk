# dhcp6c and dhcp4c: DHCP clients for any interface, including MAC-less
# tunnels.  Both programs share the socket, interface and lease-file code.
DHCP_SHARED := $(filter-out dhcp6c/main6.c dhcp6c/main4.c,$(wildcard dhcp6c/*.c))

PROGS += dhcp6c
dhcp6c_SRCS := dhcp6c/main6.c $(DHCP_SHARED)
ifneq ($(wildcard dhcp6c/main4.c),)
PROGS += dhcp4c
dhcp4c_SRCS := dhcp6c/main4.c $(DHCP_SHARED)
endif

COMPONENTS += dhcp
UNIT_dhcp := $(wildcard dhcp6c/test/test_*.c)
UNIT_dhcp_SRCS := $(DHCP_SHARED) dhcp6c/test/pcaputil.c
UNIT_dhcp_LIBS := $(LIBS_PCAP)

FUZZ_TARGETS += dhcp6 dhcp4
dhcp6_FUZZ_SRCS := $(DHCP_SHARED) $(LIBHGW_SRCS)
dhcp4_FUZZ_SRCS := $(DHCP_SHARED) $(LIBHGW_SRCS)
