/*
 * frame.c - cutting a byte stream into protocol lines.
 *
 * Clients are hostile until proven otherwise: a line may be split across any
 * number of reads, may never end, may contain NULs. The framer never copies;
 * it tells the caller where the next line is and how much input it used up.
 * An overlong line is reported once and its remainder skipped as it arrives,
 * so a 10 MB line costs the server no more than its buffer limit.
 */
#include <string.h>

#include "proto.h"

void
proto_framer_init(struct proto_framer *f, size_t max)
{
	f->max = max ? max : PROTO_LINE_MAX;
	f->discarding = 0;
}

enum proto_frame
proto_frame_next(struct proto_framer *f, const char *buf, size_t len,
    const char **line, size_t *linelen, size_t *consumed)
{
	const char *nl;
	size_t scan = len < f->max ? len : f->max, skip;
	enum proto_frame r;

	*consumed = 0;
	*line = NULL;
	*linelen = 0;

	if (f->discarding) {
		nl = memchr(buf, '\n', len);
		if (nl == NULL) {
			*consumed = len;
			return PROTO_FRAME_NONE;
		}
		/* the overlong line ends here: go on with what follows it */
		f->discarding = 0;
		skip = (size_t)(nl - buf) + 1;
		r = proto_frame_next(f, buf + skip, len - skip, line, linelen,
		    consumed);
		*consumed += skip;
		return r;
	}

	nl = memchr(buf, '\n', scan);
	if (nl == NULL) {
		if (len < f->max)
			return PROTO_FRAME_NONE;
		/* f->max bytes and no newline: the line is too long. */
		nl = memchr(buf + scan, '\n', len - scan);
		if (nl != NULL)
			*consumed = (size_t)(nl - buf) + 1;
		else {
			*consumed = len;
			f->discarding = 1;
		}
		return PROTO_FRAME_TOOLONG;
	}
	*consumed = (size_t)(nl - buf) + 1;
	*line = buf;
	*linelen = (size_t)(nl - buf);
	if (*linelen > 0 && buf[*linelen - 1] == '\r')
		(*linelen)--;
	return PROTO_FRAME_LINE;
}
