/*
 * monitor/json-stream.h — splitting a byte stream into JSON messages
 * (QMP's framing).
 *
 * QMP has no delimiters of its own: a message is one complete JSON value,
 * and values simply follow each other (RFC 8259 values, QEMU's
 * docs/interop/qmp-spec.rst "Wire protocol"). The streamer tracks just
 * enough syntax to see where a top-level value ends (nesting of {} and [],
 * strings and their escapes, bare scalars ended by a delimiter) and hands
 * each complete value to a callback for real parsing (jansson).
 *
 * Hostile input is bounded: a message larger than max_size or nested
 * deeper than max_depth is reported once (the callback gets an error
 * text instead of a message) and the rest of it is skipped without being
 * stored, still tracking its structure so the next message is found. A
 * stray '}' or ']' is reported as an error too. Memory use never exceeds
 * max_size, whatever arrives.
 */
#ifndef MONITOR_JSON_STREAM_H
#define MONITOR_JSON_STREAM_H

#include "util/osdep.h"

/*
 * One complete top-level value (@msg, @len bytes, NUL-terminated), or an
 * error (@msg NULL, @error the reason).
 */
typedef void JsonStreamEmit(void *opaque, const char *msg, size_t len,
                            const char *error);

typedef struct JsonStream {
    JsonStreamEmit *emit;
    void *opaque;
    size_t max_size;
    unsigned max_depth;
    /* the message being collected */
    char *buf;
    size_t len;
    size_t cap;
    unsigned depth;
    bool in_string;
    bool escape;
    bool in_scalar;         /* a bare top-level token: 42, true, garbage */
    bool skipping;          /* too large/deep: reported, now discarding */
    bool emitting;          /* inside emit(): buf must stay put */
} JsonStream;

#define JSON_STREAM_DEFAULT_MAX_SIZE (16u << 20)
#define JSON_STREAM_DEFAULT_MAX_DEPTH 1024

void json_stream_init(JsonStream *s, JsonStreamEmit *emit, void *opaque);
/* Feed bytes; complete messages are emitted from inside this call. */
void json_stream_feed(JsonStream *s, const uint8_t *data, size_t len);
/* Forget any partial message (a client disconnected). */
void json_stream_reset(JsonStream *s);
void json_stream_destroy(JsonStream *s);

#endif /* MONITOR_JSON_STREAM_H */
