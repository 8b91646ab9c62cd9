/* Session command parsing; see command.h. */
#include "command.h"

#include <stdio.h>
#include <string.h>

const char command_usage[] =
	"netdumpd streams pcapng; the command selects what:\n"
	"  (none) | all [FILTER]   backlog, then live packets\n"
	"  backlog [FILTER]        only what is buffered now, then end\n"
	"  live [FILTER]           only packets from now on\n"
	"  FILTER                  same as 'all FILTER' (pcap-filter syntax)\n"
	"example: ssh -p 2222 router | wireshark -k -i -\n";

static const struct {
	const char *word;
	enum stream_mode mode;
	bool help;
} words[] = {
	{ "all", STREAM_ALL, false },
	{ "backlog", STREAM_BACKLOG, false },
	{ "live", STREAM_LIVE, false },
	{ "help", STREAM_ALL, true },
	{ "--help", STREAM_ALL, true },
};

static bool is_space(char ch) { return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r'; }

int command_parse(const char *text, size_t len, struct command *c, char *err, size_t errlen)
{
	memset(c, 0, sizeof(*c));
	c->mode = STREAM_ALL;
	if (len > COMMAND_MAX) {
		snprintf(err, errlen, "command too long (%zu bytes, at most %d)", len, COMMAND_MAX);
		return -1;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)text[i];
		if ((ch < 0x20 && !is_space((char)ch)) || ch == 0x7f) {
			snprintf(err, errlen, "command contains a control character (0x%02x)", ch);
			return -1;
		}
	}
	size_t b = 0, e = len;
	while (b < e && is_space(text[b]))
		b++;
	while (e > b && is_space(text[e - 1]))
		e--;
	size_t w = b;
	while (w < e && !is_space(text[w]))
		w++;
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		if (strlen(words[i].word) == w - b && memcmp(words[i].word, text + b, w - b) == 0) {
			c->mode = words[i].mode;
			c->help = words[i].help;
			b = w;
			while (b < e && is_space(text[b]))
				b++;
			break;
		}
	}
	if (c->help && b < e) {
		snprintf(err, errlen, "help takes no argument");
		return -1;
	}
	memcpy(c->filter, text + b, e - b);
	c->filter[e - b] = '\0';
	return 0;
}
