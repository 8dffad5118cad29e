/*
 * frame.c - cutting a byte stream into protocol lines.
 *
 * Clients are hostile until proven otherwise: a line may be split across any
 * number of reads, may never end, may contain NULs. The framer never copies;
 * it tells the caller where the next line is and how much input it used up.
 * An overlong line is reported once and its remainder skipped as it arrives,
 * so a 10 MB line costs the server no more than its buffer limit.
 *
 * A line ends at "\n", "\r\n" or a lone "\r" (what a terminal in raw mode,
 * or an old Mac, sends); the terminator counts as one byte against the
 * limit. A "\r" that ends a read may be the first half of "\r\n": the line
 * is delivered at once and a "\n" that starts the next read is skipped.
 */
#include <string.h>

#include "proto.h"

void
proto_framer_init(struct proto_framer *f, size_t max)
{
	f->max = max ? max : PROTO_LINE_MAX;
	f->discarding = 0;
	f->skip_lf = 0;
}

/* The first '\r' or '\n' in buf[0..n), or NULL. */
static const char *
find_eol(const char *buf, size_t n)
{
	const char *nl = memchr(buf, '\n', n);
	const char *cr = memchr(buf, '\r', nl ? (size_t)(nl - buf) : n);

	return cr ? cr : nl;
}

/* Bytes from buf to just past the terminator that starts at eol. */
static size_t
past_eol(struct proto_framer *f, const char *buf, size_t len, const char *eol)
{
	size_t at = (size_t)(eol - buf);

	if (*eol == '\r') {
		if (at + 1 == len)
			f->skip_lf = 1;	/* its "\n" may come in the next read */
		else if (eol[1] == '\n')
			return at + 2;
	}
	return at + 1;
}

enum proto_frame
proto_frame_next(struct proto_framer *f, const char *buf, size_t len,
    const char **line, size_t *linelen, size_t *consumed)
{
	const char *eol;
	size_t scan = len < f->max ? len : f->max, skip;
	enum proto_frame r;

	*consumed = 0;
	*line = NULL;
	*linelen = 0;

	if (f->skip_lf && len > 0) {
		f->skip_lf = 0;
		if (buf[0] == '\n') {
			r = proto_frame_next(f, buf + 1, len - 1, line, linelen,
			    consumed);
			*consumed += 1;
			return r;
		}
	}
	if (f->discarding) {
		eol = find_eol(buf, len);
		if (eol == NULL) {
			*consumed = len;
			return PROTO_FRAME_NONE;
		}
		/* the overlong line ends here: go on with what follows it */
		f->discarding = 0;
		skip = past_eol(f, buf, len, eol);
		r = proto_frame_next(f, buf + skip, len - skip, line, linelen,
		    consumed);
		*consumed += skip;
		return r;
	}

	eol = find_eol(buf, scan);
	if (eol == NULL) {
		if (len < f->max)
			return PROTO_FRAME_NONE;
		/* f->max bytes and no end of line: the line is too long. */
		eol = find_eol(buf + scan, len - scan);
		if (eol != NULL)
			*consumed = past_eol(f, buf, len, eol);
		else {
			*consumed = len;
			f->discarding = 1;
		}
		return PROTO_FRAME_TOOLONG;
	}
	*consumed = past_eol(f, buf, len, eol);
	*line = buf;
	*linelen = (size_t)(eol - buf);
	return PROTO_FRAME_LINE;
}
