# pppoed: PPPoE client for the DSL port.
PPPOED_LIB := $(filter-out pppoed/main.c,$(wildcard pppoed/*.c))

PROGS += pppoed
pppoed_SRCS := pppoed/main.c $(PPPOED_LIB)

COMPONENTS += pppoed
UNIT_pppoed := $(wildcard pppoed/test/test_*.c)
UNIT_pppoed_SRCS := $(PPPOED_LIB) $(filter-out pppoed/test/test_%.c,$(wildcard pppoed/test/*.c))

FUZZ_TARGETS += ppp_disc ppp_session
ppp_disc_FUZZ_SRCS := $(PPPOED_LIB) $(LIBHGW_SRCS)
ppp_session_FUZZ_SRCS := $(PPPOED_LIB) $(LIBHGW_SRCS)
