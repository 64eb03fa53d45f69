/* json.h - JSON values (via Jansson), rendered as JSON or msgpack. */
/*
 * The only module that includes <jansson.h>. A struct jv is a JSON value;
 * builders return new values, jv_set and jv_push take ownership of the
 * value they are given. Numbers are unsigned 64-bit; one above INT64_MAX
 * is written as a decimal string (Jansson's integers are signed).
 * Byte strings: jv_hex and jv_b64 make text; in msgpack they stay text.
 *
 * Contract. Ownership: a value from a builder or jv_parse is the
 * caller's, released with jv_free (which frees its children too); a value
 * handed to jv_set or jv_push belongs to the container from then on (do
 * not jv_free it). Values and strings returned by the accessors are
 * borrowed: valid while the tree they came from lives, never freed by the
 * caller. Builders and jv_set/jv_push never fail: out of memory (or a
 * misuse such as jv_set on a non-object) logs and exits. Threads: a tree
 * is used by one thread at a time; different trees may be used on
 * different threads at once (Jansson keeps no mutable global state).
 */
#ifndef JSON_H
#define JSON_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

struct jv;

struct jv	*jv_obj(void);
struct jv	*jv_arr(void);
/* Strings are copied, not checked: pass UTF-8 (without NUL) for the
 * rendering to be valid JSON. */
struct jv	*jv_str(const char *s);
struct jv	*jv_strn(const char *s, size_t len);
/* Above INT64_MAX: a decimal string. */
struct jv	*jv_u64(uint64_t);
struct jv	*jv_i64(int64_t);
struct jv	*jv_bool(int);
struct jv	*jv_null(void);
struct jv	*jv_hex(const void *p, size_t len);
struct jv	*jv_b64(const void *p, size_t len);
/* Take val into obj under key (UTF-8; a key already there is replaced). */
void		 jv_set(struct jv *obj, const char *key, struct jv *val);
/* Take val onto the end of arr. */
void		 jv_push(struct jv *arr, struct jv *val);
/* Free a value the caller owns, with its children; NULL is a no-op. */
void		 jv_free(struct jv *);
/* Append the rendering to the buffer (never fails); keys keep their
 * insertion order. Render compactly; jv_render_json adds no newline. */
void		 jv_render_json(const struct jv *, struct buf *);
void		 jv_render_pretty(const struct jv *, struct buf *);
void		 jv_render_msgpack(const struct jv *, struct buf *);

/*
 * Parse strictly: one value, no duplicate keys, no NUL in strings, at most
 * len bytes. LD_OK with *out the caller's (jv_free), or LD_EINVAL with
 * *out untouched and err (if not NULL, errlen bytes, NUL-terminated)
 * "line L column C: reason". No size limit of its own: outside input
 * goes through jv_parse_limited.
 */
int		 jv_parse(const char *p, size_t len, struct jv **out,
		    char *err, size_t errlen);
/*
 * What jv_parse_limited lets Jansson build. A pre-pass lexes the text
 * without allocating and refuses, before Jansson runs, a text with more
 * than tokens tokens (strings, keys included, numbers, literals, and each
 * object and array: Jansson makes at most one value per token), a string
 * longer than str bytes as written, or containers nested deeper than
 * depth (the top value is at depth 1). Then Jansson's memory is at most
 * about 100 bytes a token plus the text's size.
 */
struct jv_limits {
	size_t	tokens;
	size_t	str;
	size_t	depth;
};
/* jv_parse within lim: LD_ETOOBIG over tokens or str, LD_EINVAL if too
 * deep (err says which) or malformed. */
int		 jv_parse_limited(const char *p, size_t len,
		    const struct jv_limits *lim, struct jv **out, char *err,
		    size_t errlen);
/*
 * Accessors; NULL (or 0, or LD_EINVAL) when absent or of another type,
 * NULL arguments included. Results are borrowed from the tree (see
 * above). jv_get_str gives a view of the string, NUL-terminated at len
 * (LD_EINVAL if a NUL is inside it, *s and *len being written all the
 * same); jv_get_u64 takes a non-negative integer or a canonical decimal
 * string (how jv_u64 writes numbers above INT64_MAX).
 */
const struct jv	*jv_get(const struct jv *obj, const char *key);
size_t		 jv_len(const struct jv *arr);
const struct jv	*jv_at(const struct jv *arr, size_t i);
int		 jv_is_obj(const struct jv *);
int		 jv_is_null(const struct jv *);
int		 jv_get_str(const struct jv *, const char **s, size_t *len);
int		 jv_get_u64(const struct jv *, uint64_t *);
int		 jv_get_bool(const struct jv *, int *);
/* Decode a hex string of exactly n bytes into out: LD_EINVAL otherwise
 * (out may then be written in part). */
int		 jv_get_hex(const struct jv *, uint8_t *out, size_t n);
/* Keys of an object, for strict "no unknown field" checks: returns the
 * first key not in allowed (a NULL-terminated list), or NULL (also for a
 * non-object). The key is borrowed from obj. */
const char	*jv_unknown_key(const struct jv *obj, const char *const *allowed);

#endif /* JSON_H */
