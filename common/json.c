/* json.c - JSON values (via Jansson), rendered as JSON or msgpack. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "b64.h"
#include "buf.h"
#include "codec.h"
#include "err.h"
#include "hex.h"
#include "json.h"
#include "log.h"
#include "u64.h"
#include "xmalloc.h"

/* A struct json is a json_t; the casts stay in this file. */
#define J(v)	((json_t *)(v))
#define CJ(v)	((const json_t *)(v))

static struct json *
wrap(json_t *j)
{
	if (j == NULL)
		fatalx("out of memory building JSON");
	return (struct json *)j;
}

struct json *
json_obj(void)
{
	return wrap(json_object());
}

struct json *
json_arr(void)
{
	return wrap(json_array());
}

struct json *
json_str(const char *s)
{
	return json_strn(s, strlen(s));
}

struct json *
json_strn(const char *s, size_t len)
{
	return wrap(json_stringn_nocheck(s, len));
}

struct json *
json_u64(uint64_t v)
{
	char	buf[24];

	if (v <= INT64_MAX)
		return wrap(json_integer((json_int_t)v));
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v);
	return json_str(buf);
}

struct json *
json_i64(int64_t v)
{
	return wrap(json_integer((json_int_t)v));
}

struct json *
json_bool(int v)
{
	return wrap(json_boolean(v));
}

struct json *
json_nil(void)
{
	return wrap(json_null());
}

struct json *
json_hex(const void *p, size_t len)
{
	char		*s = xmalloc(2 * len + 1);
	struct json	*v;

	hex_encode(s, p, len);
	v = json_strn(s, 2 * len);
	free(s);
	return v;
}

struct json *
json_b64(const void *p, size_t len)
{
	char		*s = xmalloc(b64_encoded_len(len) + 1);
	struct json	*v;

	b64_encode(s, p, len);
	v = json_str(s);
	free(s);
	return v;
}

void
json_set(struct json *obj, const char *key, struct json *val)
{
	if (json_object_set_new(J(obj), key, J(val)) != 0)
		fatalx("json_object_set_new failed");
}

void
json_push(struct json *arr, struct json *val)
{
	if (json_array_append_new(J(arr), J(val)) != 0)
		fatalx("json_array_append_new failed");
}

void
json_free(struct json *v)
{
	if (v != NULL)
		json_decref(J(v));
}

static int
dump_cb(const char *p, size_t len, void *data)
{
	buf_add(data, p, len);
	return 0;
}

void
json_render(const struct json *v, struct buf *b)
{
	json_dump_callback(CJ(v), dump_cb, b,
	    JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
}

void
json_render_pretty(const struct json *v, struct buf *b)
{
	json_dump_callback(CJ(v), dump_cb, b,
	    JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
}

static void
to_msgpack(const json_t *j, struct buf *b)
{
	const char	*key;
	json_t		*val;
	size_t		 i;

	switch (json_typeof(j)) {
	case JSON_OBJECT:
		codec_put_map(b, (uint32_t)json_object_size(j));
		json_object_foreach((json_t *)j, key, val) {
			codec_put_cstr(b, key);
			to_msgpack(val, b);
		}
		break;
	case JSON_ARRAY:
		codec_put_array(b, (uint32_t)json_array_size(j));
		json_array_foreach(j, i, val)
			to_msgpack(val, b);
		break;
	case JSON_STRING:
		codec_put_str(b, json_string_value(j), json_string_length(j));
		break;
	case JSON_INTEGER:
		if (json_integer_value(j) >= 0)
			codec_put_u64(b, (uint64_t)json_integer_value(j));
		else
			codec_put_i64(b, json_integer_value(j));
		break;
	case JSON_TRUE:
		codec_put_bool(b, 1);
		break;
	case JSON_FALSE:
		codec_put_bool(b, 0);
		break;
	default:
		codec_put_nil(b);
		break;
	}
}

void
json_render_msgpack(const struct json *v, struct buf *b)
{
	to_msgpack(CJ(v), b);
}

int
json_parse(const char *p, size_t len, struct json **out, char *err,
    size_t errlen)
{
	json_error_t	 e;
	json_t		*j;

	j = json_loadb(p, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &e);
	if (j == NULL) {
		if (err != NULL)
			snprintf(err, errlen, "line %d column %d: %s", e.line,
			    e.column, e.text);
		return LD_EINVAL;
	}
	*out = (struct json *)j;
	return LD_OK;
}

/*
 * The pre-pass: lex p as JSON tokens without allocating. Anything the
 * lexer does not know is left for Jansson to refuse; only the counts
 * matter here, and every value Jansson could make starts a token counted.
 */
static int
json_precheck(const char *p, size_t len, const struct json_limits *lim,
    char *err, size_t errlen)
{
	size_t	i = 0, start, tokens = 0, depth = 0;
	char	c;

	while (i < len) {
		c = p[i];
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
		    c == ',' || c == ':') {
			i++;
			continue;
		}
		if (c == '}' || c == ']') {
			if (depth > 0)
				depth--;
			i++;
			continue;
		}
		if (++tokens > lim->tokens) {
			snprintf(err, errlen, "more than %zu JSON tokens",
			    lim->tokens);
			return LD_ETOOBIG;
		}
		if (c == '{' || c == '[') {
			if (++depth > lim->depth) {
				snprintf(err, errlen, "JSON nested deeper than %zu "
				    "levels", lim->depth);
				return LD_EINVAL;
			}
			i++;
			continue;
		}
		if (c == '"') {
			start = ++i;
			while (i < len && p[i] != '"')
				i += p[i] == '\\' ? 2 : 1;
			if (i - start > lim->str) {
				snprintf(err, errlen, "a JSON string of more than "
				    "%zu bytes", lim->str);
				return LD_ETOOBIG;
			}
			i++;
			continue;
		}
		/* A number, a literal or a stray byte: up to a delimiter. */
		do
			i++;
		while (i < len && p[i] != '\0' &&
		    strchr(" \t\n\r,:{}[]\"", p[i]) == NULL);
	}
	return LD_OK;
}

int
json_parse_limited(const char *p, size_t len, const struct json_limits *lim,
    struct json **out, char *err, size_t errlen)
{
	char	e[160];
	int	rc;

	if ((rc = json_precheck(p, len, lim, e, sizeof(e))) != LD_OK) {
		if (err != NULL)
			snprintf(err, errlen, "%s", e);
		return rc;
	}
	return json_parse(p, len, out, err, errlen);
}

const struct json *
json_get(const struct json *obj, const char *key)
{
	if (obj == NULL || !json_is_object(CJ(obj)))
		return NULL;
	return (const struct json *)json_object_get(CJ(obj), key);
}

size_t
json_len(const struct json *arr)
{
	return arr != NULL && json_is_array(CJ(arr)) ?
	    json_array_size(CJ(arr)) : 0;
}

const struct json *
json_at(const struct json *arr, size_t i)
{
	if (arr == NULL || !json_is_array(CJ(arr)))
		return NULL;
	return (const struct json *)json_array_get(CJ(arr), i);
}

int
json_is_obj(const struct json *v)
{
	return v != NULL && json_is_object(CJ(v));
}

int
json_is_nil(const struct json *v)
{
	return v != NULL && json_is_null(CJ(v));
}

int
json_get_str(const struct json *v, const char **s, size_t *len)
{
	if (v == NULL || !json_is_string(CJ(v)))
		return LD_EINVAL;
	*s = json_string_value(CJ(v));
	*len = json_string_length(CJ(v));
	if (memchr(*s, '\0', *len) != NULL)
		return LD_EINVAL;
	return LD_OK;
}

int
json_get_u64(const struct json *v, uint64_t *out)
{
	const char	*s;
	size_t		 len;

	if (v != NULL && json_is_integer(CJ(v))) {
		if (json_integer_value(CJ(v)) < 0)
			return LD_EINVAL;
		*out = (uint64_t)json_integer_value(CJ(v));
		return LD_OK;
	}
	/* Numbers past INT64_MAX travel as decimal strings. */
	if (json_get_str(v, &s, &len) == LD_OK)
		return u64_parse(s, len, out);
	return LD_EINVAL;
}

int
json_get_bool(const struct json *v, int *out)
{
	if (v == NULL || !json_is_boolean(CJ(v)))
		return LD_EINVAL;
	*out = json_is_true(CJ(v));
	return LD_OK;
}

int
json_get_hex(const struct json *v, uint8_t *out, size_t n)
{
	const char	*s;
	size_t		 len;

	if (json_get_str(v, &s, &len) != LD_OK)
		return LD_EINVAL;
	return hex_decode(out, n, s, len);
}

const char *
json_unknown_key(const struct json *obj, const char *const *allowed)
{
	const char	*key;
	json_t		*val;
	size_t		 i;

	if (obj == NULL || !json_is_object(CJ(obj)))
		return NULL;
	json_object_foreach((json_t *)CJ(obj), key, val) {
		for (i = 0; allowed[i] != NULL; i++)
			if (strcmp(allowed[i], key) == 0)
				break;
		if (allowed[i] == NULL)
			return key;
	}
	return NULL;
}
