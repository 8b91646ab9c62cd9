/* netlinkd's firewall as one nftables table, written as a raw nfnetlink
 * batch with libmnl (no libnftnl).  Pure: bytes into a buffer.
 *
 * The whole table is replaced atomically in one transaction whenever the
 * desired ruleset changes (create-if-missing, delete, create), so the
 * kernel never runs a half-built ruleset and conntrack state survives.  The
 * table's userdata carries "netlinkd:<hash of the ruleset>": a reconcile
 * compares hashes instead of parsing rules back, and a table without the
 * tag is never touched. */
#ifndef NL_NFT_H
#define NL_NFT_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"

/* The ruleset as a batch: BEGIN, table (replaced), chains, rules, END.
 * With fw == NULL: BEGIN, delete the table, END.  Returns the length, 0 if
 * buf is too small.  seq numbers run from seq upwards; *last_seq gets the
 * last message's (the one whose ACK says the batch was committed). */
size_t nl_nft_batch(void *buf, size_t len, const struct nl_fw *fw, const char *table,
		    uint32_t seq, uint32_t *last_seq);

/* "netlinkd:<16 hex digits>": FNV-1a over the ruleset's bytes. */
void nl_fw_tag(const struct nl_fw *fw, char *tag, size_t len);

/* Rules in the ruleset (for the report). */
int nl_fw_rule_count(const struct nl_fw *fw);

#endif
