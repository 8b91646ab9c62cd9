/* The household's DNS servers, taken from the WAN daemons' state files and
 * written as a resolv.conf for the LAN's DNS forwarder (hgwctl resolv; on
 * the image, dnsmasq's resolv-file).  No I/O here: documents in, text out. */
#ifndef HGW_RESOLV_H
#define HGW_RESOLV_H

#include <jansson.h>
#include <stddef.h>

#include "schema.h"

/* The schema a state file is read with if it can give DNS servers, else
 * NULL (the file is of no interest). */
const struct hgw_field *hgw_resolv_schema(const char *file);

/* resolv.conf text (malloc'd) from n documents (NULL = absent) named by
 * their state file: servers in WAN preference order (the bond's DHCP, then
 * PPPoE, then LTE), each once, only from a source in a state where its
 * servers answer.  A file without servers says so in a comment. */
char *hgw_resolv_text(const char *const names[], json_t *const docs[], size_t n);

#endif
