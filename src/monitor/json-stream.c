/*
 * monitor/json-stream.c — QMP message framing (see monitor/json-stream.h).
 */
#include "monitor/json-stream.h"

void json_stream_init(JsonStream *s, JsonStreamEmit *emit, void *opaque)
{
    memset(s, 0, sizeof(*s));
    s->emit = emit;
    s->opaque = opaque;
    s->max_size = JSON_STREAM_DEFAULT_MAX_SIZE;
    s->max_depth = JSON_STREAM_DEFAULT_MAX_DEPTH;
}

void json_stream_reset(JsonStream *s)
{
    s->len = 0;
    s->depth = 0;
    s->in_string = s->escape = s->in_scalar = s->skipping = false;
    /* Do not keep a huge buffer around after one big message. */
    if (s->cap > 64 * 1024 && !s->emitting) {
        free(s->buf);
        s->buf = NULL;
        s->cap = 0;
    }
}

void json_stream_destroy(JsonStream *s)
{
    free(s->buf);
    s->buf = NULL;
    s->cap = s->len = 0;
}

static void json_stream_error(JsonStream *s, const char *why)
{
    s->emit(s->opaque, NULL, 0, why);
}

/* Start discarding the current (oversized or too deep) message. */
static void json_stream_skip(JsonStream *s, const char *why)
{
    s->skipping = true;
    s->len = 0;
    json_stream_error(s, why);
}

static void json_stream_push(JsonStream *s, uint8_t c)
{
    if (s->skipping) {
        return;
    }
    if (s->len + 1 >= s->max_size) {
        json_stream_skip(s, "JSON token size limit exceeded");
        return;
    }
    if (s->len + 2 > s->cap) {
        s->cap = MAX(s->cap * 2, 256);
        s->cap = MIN(s->cap, s->max_size + 1);
        s->buf = xrealloc(s->buf, s->cap);
    }
    s->buf[s->len++] = c;
}

/* The current top-level value is complete. */
static void json_stream_complete(JsonStream *s)
{
    bool skipped = s->skipping;

    if (!skipped && s->len) {
        s->buf[s->len] = '\0';
    }
    s->depth = 0;
    s->in_string = s->escape = s->in_scalar = s->skipping = false;
    if (!skipped && s->len) {
        size_t len = s->len;

        /* Reset before emitting: the callback may feed or reset. */
        s->len = 0;
        s->emitting = true;
        s->emit(s->opaque, s->buf, len, NULL);
        s->emitting = false;
    }
    s->len = 0;
}

static bool json_is_delimiter(uint8_t c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '{' ||
           c == '}' || c == '[' || c == ']' || c == '"' || c == ',' ||
           c == ':';
}

static void json_stream_byte(JsonStream *s, uint8_t c)
{
    if (s->in_string) {
        json_stream_push(s, c);
        if (s->escape) {
            s->escape = false;
        } else if (c == '\\') {
            s->escape = true;
        } else if (c == '"') {
            s->in_string = false;
            if (s->depth == 0) {
                json_stream_complete(s);
            }
        }
        return;
    }
    if (s->in_scalar) {
        if (!json_is_delimiter(c)) {
            json_stream_push(s, c);
            return;
        }
        /* The token ended; @c starts what follows. */
        json_stream_complete(s);
    }
    switch (c) {
    case ' ': case '\t': case '\n': case '\r':
        if (s->depth) {
            json_stream_push(s, c);
        }
        break;
    case '"':
        s->in_string = true;
        json_stream_push(s, c);
        break;
    case '{':
    case '[':
        s->depth++;
        if (s->depth > s->max_depth && !s->skipping) {
            json_stream_skip(s, "JSON nesting depth limit exceeded");
        }
        json_stream_push(s, c);
        break;
    case '}':
    case ']':
        if (s->depth == 0) {
            json_stream_error(s, c == '}' ? "JSON parse error, stray '}'"
                                          : "JSON parse error, stray ']'");
            break;
        }
        json_stream_push(s, c);
        if (--s->depth == 0) {
            json_stream_complete(s);
        }
        break;
    default:
        if (s->depth == 0) {
            s->in_scalar = true;
        }
        json_stream_push(s, c);
        break;
    }
}

void json_stream_feed(JsonStream *s, const uint8_t *data, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        json_stream_byte(s, data[i]);
    }
}
