/* State schema of netlinkd.json; conventions in state_schemas.h. */
#include "state_schemas.h"

#include "state.h"

/* netlinkd.json (netlinkd) */
const struct hgw_field hgw_schema_netlinkd[] = {
	HGW_STATE_COMMON_FIELDS,
	{ "*", HGW_T_ANY, 0, 0, 0, NULL, NULL, "what was applied and what failed (netlinkd's issue)" },
	HGW_F_END,
};
