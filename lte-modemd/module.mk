# lte-modemd: the LTE modem over AT commands (issue 7).
PROGS += lte-modemd
lte-modemd_SRCS := lte-modemd/main.c $(filter-out lte-modemd/main.c,$(wildcard lte-modemd/*.c))
lte-modemd_LIBS :=
COMPONENTS += lte-modemd
UNIT_lte-modemd := $(wildcard lte-modemd/test/test_*.c)
UNIT_lte-modemd_SRCS := $(filter-out lte-modemd/main.c,$(wildcard lte-modemd/*.c))
UNIT_lte-modemd_LIBS :=

FUZZ_TARGETS += lte_at lte_modem
lte_at_FUZZ_SRCS := $(filter-out lte-modemd/main.c,$(wildcard lte-modemd/*.c)) $(LIBHGW_SRCS)
lte_modem_FUZZ_SRCS := $(filter-out lte-modemd/main.c,$(wildcard lte-modemd/*.c)) $(LIBHGW_SRCS)
