# Benchmarks (not installed): make bench runs bench/run.py.
BENCH_PROGS := state_latency
$(BUILD)/bench/state_latency: $(call OBJ,bench/state_latency.c) $(LIBHGW)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_BASE)
