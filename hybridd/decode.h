/* hybridd --decode: every RFC 8157 control message in a pcap, one JSON
 * object per line, through the daemon's own parser. */
#ifndef HYBRIDD_DECODE_H
#define HYBRIDD_DECODE_H

#include <jansson.h>
#include <stdio.h>

#include "frame.h"
#include "rfc8157_msg.h"

/* One message as the JSON object --decode prints (without time). */
json_t *decode_msg_json(const struct rfc8157_msg *m);
/* Returns the process exit status: 0, 1 (unreadable file). */
int decode_pcap(const char *path, FILE *out);

#endif
