/* What an SSH session asks for: the exec command (or a plain "shell"
 * request, which means the default) parsed into a stream mode and an
 * optional BPF filter.  No I/O, no globals.
 *
 *   (empty)                 backlog, then live (what `ssh router` gets)
 *   all [FILTER]            the same, only packets matching FILTER
 *   backlog [FILTER]        what the ring holds now, then the stream ends
 *   live [FILTER]           only packets captured from now on
 *   FILTER                  as "all FILTER" (e.g. ssh router 'arp or icmp6')
 *   help                    usage text on stderr
 *
 * FILTER is a pcap-filter(7) expression applied to what the capture filter
 * already let through. */
#ifndef NETDUMPD_COMMAND_H
#define NETDUMPD_COMMAND_H

#include <stdbool.h>
#include <stddef.h>

#include "stream.h"

#define COMMAND_MAX 1024

struct command {
	enum stream_mode mode;
	bool help;
	char filter[COMMAND_MAX + 1]; /* "" = none */
};

/* Returns 0, or -1 with a message in err. */
int command_parse(const char *text, size_t len, struct command *c, char *err, size_t errlen);

extern const char command_usage[];

#endif
