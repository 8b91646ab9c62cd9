/* Fuzz target: state-file parsing against every registered state schema. */
#include <stddef.h>
#include <stdint.h>

#include "log.h"
#include "state.h"
#include "state_schemas.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int once;
	if (!once) {
		hgw_log_init("fuzz", HGW_LOG_ERR - 1, false);
		once = 1;
	}
	for (const struct hgw_state_schema *s = hgw_state_schemas; s->file; s++) {
		struct hgw_errors e = { 0 };
		json_t *d = hgw_state_parse((const char *)data, size, s->fields, s->file, &e);
		json_decref(d);
	}
	return 0;
}
