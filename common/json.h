/* json.h - JSON values (via Jansson), rendered as JSON or msgpack. */
/*
 * The only module that includes <jansson.h>. A struct json is a JSON value;
 * builders return new values, json_set and json_push take ownership of the
 * value they are given. Numbers are unsigned 64-bit; one above INT64_MAX
 * is written as a decimal string (Jansson's integers are signed).
 * Byte strings: json_hex and json_b64 make text; in msgpack they stay text.
 *
 * Contract. Ownership: a value from a builder or json_parse is the
 * caller's, released with json_free (which frees its children too); a value
 * handed to json_set or json_push belongs to the container from then on (do
 * not json_free it). Values and strings returned by the accessors are
 * borrowed: valid while the tree they came from lives, never freed by the
 * caller. Builders and json_set/json_push never fail: out of memory (or a
 * misuse such as json_set on a non-object) logs and exits. Threads: a tree
 * is used by one thread at a time; different trees may be used on
 * different threads at once (Jansson keeps no mutable global state).
 */
#ifndef JSON_H
#define JSON_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

struct json;

struct json	*json_obj(void);
struct json	*json_arr(void);
/* Strings are copied, not checked: pass UTF-8 (without NUL) for the
 * rendering to be valid JSON. */
struct json	*json_str(const char *s);
struct json	*json_strn(const char *s, size_t len);
/* Above INT64_MAX: a decimal string. */
struct json	*json_u64(uint64_t);
struct json	*json_i64(int64_t);
struct json	*json_bool(int);
struct json	*json_nil(void);
struct json	*json_hex(const void *p, size_t len);
struct json	*json_b64(const void *p, size_t len);
/* Take val into obj under key (UTF-8; a key already there is replaced). */
void		 json_set(struct json *obj, const char *key, struct json *val);
/* Take val onto the end of arr. */
void		 json_push(struct json *arr, struct json *val);
/* Free a value the caller owns, with its children; NULL is a no-op. */
void		 json_free(struct json *);
/* Append the rendering to the buffer (never fails); keys keep their
 * insertion order. Render compactly; json_render adds no newline. */
void		 json_render(const struct json *, struct buf *);
void		 json_render_pretty(const struct json *, struct buf *);
void		 json_render_msgpack(const struct json *, struct buf *);

/*
 * Parse strictly: one value, no duplicate keys, no NUL in strings, at most
 * len bytes. LD_OK with *out the caller's (json_free), or LD_EINVAL with
 * *out untouched and err (if not NULL, errlen bytes, NUL-terminated)
 * "line L column C: reason". No size limit of its own: outside input
 * goes through json_parse_limited.
 */
int		 json_parse(const char *p, size_t len, struct json **out,
		    char *err, size_t errlen);
/*
 * What json_parse_limited lets Jansson build. A pre-pass lexes the text
 * without allocating and refuses, before Jansson runs, a text with more
 * than tokens tokens (strings, keys included, numbers, literals, and each
 * object and array: Jansson makes at most one value per token), a string
 * longer than str bytes as written, or containers nested deeper than
 * depth (the top value is at depth 1). Then Jansson's memory is at most
 * about 100 bytes a token plus the text's size.
 */
struct json_limits {
	size_t	tokens;
	size_t	str;
	size_t	depth;
};
/* json_parse within lim: LD_ETOOBIG over tokens or str, LD_EINVAL if too
 * deep (err says which) or malformed. */
int		 json_parse_limited(const char *p, size_t len,
		    const struct json_limits *lim, struct json **out, char *err,
		    size_t errlen);
/*
 * Accessors; NULL (or 0, or LD_EINVAL) when absent or of another type,
 * NULL arguments included. Results are borrowed from the tree (see
 * above). json_get_str gives a view of the string, NUL-terminated at len
 * (LD_EINVAL if a NUL is inside it, *s and *len being written all the
 * same); json_get_u64 takes a non-negative integer or a canonical decimal
 * string (how json_u64 writes numbers above INT64_MAX).
 */
const struct json	*json_get(const struct json *obj, const char *key);
size_t		 json_len(const struct json *arr);
const struct json	*json_at(const struct json *arr, size_t i);
int		 json_is_obj(const struct json *);
int		 json_is_nil(const struct json *);
int		 json_get_str(const struct json *, const char **s, size_t *len);
int		 json_get_u64(const struct json *, uint64_t *);
int		 json_get_bool(const struct json *, int *);
/* Decode a hex string of exactly n bytes into out: LD_EINVAL otherwise
 * (out may then be written in part). */
int		 json_get_hex(const struct json *, uint8_t *out, size_t n);
/* Keys of an object, for strict "no unknown field" checks: returns the
 * first key not in allowed (a NULL-terminated list), or NULL (also for a
 * non-object). The key is borrowed from obj. */
const char	*json_unknown_key(const struct json *obj,
	    const char *const *allowed);

#endif /* JSON_H */
