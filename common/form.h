/* form.h - the JSON faces of the domain: entries, batches, leaves. */
/*
 * Field names are docs/api.md's. Parsers are strict: unknown fields,
 * wrong types, bad hex, bad dates are refused with a reason in *why.
 *
 * Contract. The *_from_json parsers zero their output first; they return
 * LD_OK or LD_EINVAL (form_batch_from_json also LD_ETOOBIG over BATCH_MAX
 * entries), never keep a pointer into the JSON, and leave nothing to free
 * on failure. *why is a static string, except "unknown field ..." of an
 * entry, which lives in a thread-local buffer: valid on that thread until
 * its next form_sub_from_json or form_batch_from_json. The *_to_json
 * builders return a new value the caller frees with json_free (they never
 * fail: out of memory exits). No other state: any thread.
 */
#ifndef FORM_H
#define FORM_H

#include "codec.h"
#include "entry.h"
#include "json.h"

/*
 * A submitted entry: {"kind":"credit","account":..,"method":..,"units":..,
 * "grams":..,"day":"YYYY-MM-DD","dedup":hex64,"evidence":hex64}; "time"
 * (RFC 3339 or a date) may stand for "day": only its UTC day is kept.
 */
int	form_sub_from_json(const struct json *o, struct entry_sub *s,
	    const char **why);
struct json *form_sub_to_json(const struct entry_sub *s);
/* {"issuer":..,"entries":[..],"signature":base64}; *bad_pos as codec. On
 * LD_OK r->subs is the caller's: codec_batch_free. */
int	form_batch_from_json(const struct json *o, struct codec_batch *r,
	    long *bad_pos, const char **why);
struct json *form_batch_to_json(const struct codec_batch *r);
/*
 * What parsing a JSON batch may build (json_parse_limited): an entry is an
 * object of at most 9 members (19 tokens), the batch an object of 3
 * members around the entries (7 tokens), 3 levels deep; the longest
 * string is a 256-byte text written with \u escapes (6 bytes each).
 */
extern const struct json_limits form_batch_limits;
/* {"vkey":..,"name":..} -> an issuer registration. */
int	form_issuer_from_json(const struct json *o, struct entry_issuer *reg,
	    const char **why);
/* {"id","activity","unit","grams_per_unit","max_grams_per_event",
 *  "max_grams_per_account_day","valid_from":"YYYY-MM-DD",
 *  "max_event_age_days","reference"}, every key required */
int	form_method_from_json(const struct json *o, struct entry_method *m,
	    const char **why);
struct json *form_method_to_json(const struct entry_method *m);
/* A decoded leaf with its counters. */
struct json *form_leaf_to_json(const struct entry_leaf *l);
struct json *form_totals_to_json(const struct entry_totals *t);

#endif /* FORM_H */
