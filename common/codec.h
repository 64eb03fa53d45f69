/* codec.h - canonical msgpack for leaves, submissions and replies. */
/*
 * The only module that includes <msgpack.h>. Leaves and submitted entries
 * are msgpack arrays with a fixed field order per kind, integers in their
 * shortest form and no maps or floats; docs/protocol.md gives the bytes.
 * Decoders are strict: exact types and counts, and a decoded leaf must
 * re-encode to the same bytes (else LD_EINVAL, "not canonical").
 *
 * Contract: no global state, so any thread may call any function on its
 * own arguments. Encoders append to the caller's buffer and never fail
 * for lack of memory (xmalloc.h: out of memory exits). Decoders never keep
 * a pointer into their input, except the cr_* reader (below).
 */
#ifndef CODEC_H
#define CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "entry.h"

/* Append the canonical encoding of a submitted entry to b. The fields are
 * not checked (entry_sub_check does that). LD_EINVAL, appending nothing,
 * for an unknown kind. */
int	codec_sub_encode(const struct entry_sub *, struct buf *b);
/* Append the canonical leaf encoding; LD_ETOOBIG over LEAF_MAX, LD_EINVAL
 * for an unknown kind or an entry whose sub.kind is not the leaf's kind.
 * On failure b is as before. */
int	codec_leaf_encode(const struct entry_leaf *, struct buf *b);
/*
 * Decode a leaf strictly into *l (overwritten; it need not be freed
 * before). LD_EINVAL if empty, longer than LEAF_MAX, malformed or not
 * canonical. On LD_OK *l owns its allocations (call entry_leaf_free after) and
 * keeps no pointer into p; on failure it is already freed.
 */
int	codec_leaf_decode(const uint8_t *p, size_t len, struct entry_leaf *l);
/*
 * The format version a leaf claims (its first element), read without
 * decoding the rest: to say "version 1, this program reads version 2"
 * when codec_leaf_decode refuses it. LD_EINVAL if p does not start like
 * a leaf at all.
 */
int	codec_leaf_version(const uint8_t *p, size_t len, uint64_t *v);

/*
 * A submission: [issuer, [sub, ...], signature]. Decoding checks every
 * field (types, lengths, charset) and reports the first bad entry's
 * position in *bad_pos (or -1) and a reason in why (static string).
 * codec_batch_decode overwrites *r: on LD_OK r->subs is the caller's
 * (codec_batch_free), with no pointer into p; on failure (LD_EINVAL, or
 * LD_ETOOBIG over CODEC_BATCH_OBJECTS or BATCH_MAX entries) nothing is
 * left to free.
 */
struct codec_batch {
	STR(ID_MAX)	 issuer;
	uint32_t	 n;
	struct entry_sub	*subs;		/* n entries, owned */
	uint8_t		 sig[64];
};
int	codec_batch_decode(const uint8_t *p, size_t len, struct codec_batch *r,
	    long *bad_pos, const char **why);
/*
 * Before msgpack-c runs, a pre-pass walks the body without allocating
 * and refuses (LD_ETOOBIG) one with more objects than a batch can hold
 * (the array, the issuer, the entries array, the signature, and 9 objects
 * an entry at most) or (LD_EINVAL) nested deeper than 3 levels below the
 * top: msgpack-c then allocates at most 24 bytes an object.
 */
#define CODEC_BATCH_OBJECTS	(4 + (uint64_t)BATCH_MAX * 9)
/* Append the encoding; LD_EINVAL if an entry's kind is unknown, in which
 * case b holds a partial encoding (truncate it to its old len). */
int	codec_batch_encode(const struct codec_batch *, struct buf *b);
/* Free r->subs and empty r; safe on a zeroed or freed codec_batch. */
void	codec_batch_free(struct codec_batch *);

/*
 * A minimal msgpack writer for replies (maps with string keys). Each call
 * appends to the buffer (never fails); counts must match what follows.
 */
void	codec_put_map(struct buf *, uint32_t n);
void	codec_put_array(struct buf *, uint32_t n);
void	codec_put_str(struct buf *, const char *s, size_t len);
void	codec_put_cstr(struct buf *, const char *s);
void	codec_put_u64(struct buf *, uint64_t v);
void	codec_put_i64(struct buf *, int64_t v);
void	codec_put_bin(struct buf *, const void *p, size_t len);
void	codec_put_bool(struct buf *, int v);
void	codec_put_nil(struct buf *);

/*
 * A minimal msgpack reader over a decoded tree, for replies the clients
 * read. codec_tree_parse decodes p (one object, nothing after, nested at most 8
 * levels below the top; LD_EINVAL otherwise); *out is the caller's, freed
 * by codec_tree_free.
 * *root and every codec_obj are borrowed from *out: valid until codec_tree_free.
 * Strings and byte strings (codec_get_bytes) point into p itself (msgpack-c does
 * not copy them): keep p unchanged until codec_tree_free. Accessors return NULL
 * (0, LD_EINVAL) on a type mismatch, a missing key or index, or a NULL
 * argument. One thread at a time per tree.
 */
struct codec_tree;			/* opaque decoded object tree */
struct codec_obj;			/* a node in it */
int	codec_tree_parse(const uint8_t *p, size_t len, struct codec_tree **out,
	    const struct codec_obj **root);
void	codec_tree_free(struct codec_tree *);
const struct codec_obj *codec_get(const struct codec_obj *map, const char *key);
size_t	codec_len(const struct codec_obj *arr);	/* 0 if not an array/map */
const struct codec_obj *codec_at(const struct codec_obj *arr, size_t i);
int	codec_get_u64(const struct codec_obj *, uint64_t *);
int	codec_get_bool(const struct codec_obj *, int *);
int	codec_get_bytes(const struct codec_obj *, const uint8_t **p,
	    size_t *len);
						/* str or bin */
int	codec_is_nil(const struct codec_obj *);

#endif /* CODEC_H */
