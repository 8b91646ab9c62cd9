/* Fuzz target: the RFC 8157 filter list package (attribute 8). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../hybridd/rfc8157_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct rfc8157_filter_list fl;
	if (rfc8157_filter_parse(data, size, &fl, NULL) == 0) {
		for (unsigned i = 0; i < fl.nitems; i++)
			if (strlen(fl.items[i].desc) >= RFC8157_FILTER_STR ||
			    strlen(fl.items[i].value) >= RFC8157_FILTER_STR)
				__builtin_trap();
	}
	return 0;
}
