/* form.c - the JSON faces of the domain: entries, batches, leaves. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "b64.h"
#include "day.h"
#include "err.h"
#include "form.h"
#include "sig.h"
#include "xmalloc.h"

static int
get_strf(const struct json *o, const char *key, char *dst, uint16_t *dlen,
    size_t max)
{
	const char	*s;
	size_t		 len;

	if (json_get_str(json_get(o, key), &s, &len) != LD_OK)
		return LD_EINVAL;
	return entry_str_set(dst, dlen, max, s, len);
}

#define GETS(o, key, f)	get_strf((o), (key), (f).s, &(f).len, sizeof((f).s) - 1)

static int
get_day(const struct json *o, uint32_t *day, const char **why)
{
	const struct json	*d = json_get(o, "day");
	const struct json	*t = json_get(o, "time");
	const char	*s;
	size_t		 len;

	if ((d == NULL) == (t == NULL)) {
		*why = "give exactly one of \"day\" (YYYY-MM-DD) and \"time\"";
		return LD_EINVAL;
	}
	if (json_get_str(d ? d : t, &s, &len) != LD_OK) {
		*why = "day/time must be a string";
		return LD_EINVAL;
	}
	if (d != NULL && len != 10) {
		*why = "day must be YYYY-MM-DD";
		return LD_EINVAL;
	}
	if (day_parse_utc(s, len, day) != LD_OK) {
		*why = d ? "day must be a valid YYYY-MM-DD date" :
		    "time must be an RFC 3339 timestamp or a YYYY-MM-DD date";
		return LD_EINVAL;
	}
	return LD_OK;
}

int
form_sub_from_json(const struct json *o, struct entry_sub *s, const char **why)
{
	static const char *const credit_keys[] = { "kind", "account", "method",
	    "units", "grams", "day", "time", "dedup", "evidence", NULL };
	static const char *const retire_keys[] = { "kind", "account", "grams",
	    "beneficiary", "day", "time", "dedup", NULL };
	static const char *const reverse_keys[] = { "kind", "target",
	    "reason", "day", "time", "dedup", NULL };
	const char	*kind, *bad;
	size_t		 klen;
	const struct json	*ev;
	static _Thread_local char unknown[96];

	memset(s, 0, sizeof(*s));
	if (!json_is_obj(o)) {
		*why = "entry must be a JSON object";
		return LD_EINVAL;
	}
	if (json_get_str(json_get(o, "kind"), &kind, &klen) != LD_OK) {
		*why = "\"kind\" must be \"credit\", \"retire\" or \"reverse\"";
		return LD_EINVAL;
	}
	s->kind = (uint8_t)entry_kind_from_name(kind, klen);
	switch (s->kind) {
	case KIND_CREDIT:
		bad = json_unknown_key(o, credit_keys);
		break;
	case KIND_RETIRE:
		bad = json_unknown_key(o, retire_keys);
		break;
	case KIND_REVERSE:
		bad = json_unknown_key(o, reverse_keys);
		break;
	default:
		*why = "\"kind\" must be \"credit\", \"retire\" or \"reverse\"";
		return LD_EINVAL;
	}
	if (bad != NULL) {
		snprintf(unknown, sizeof(unknown), "unknown field \"%.60s\"",
		    bad);
		*why = unknown;
		return LD_EINVAL;
	}
	if (json_get_hex(json_get(o, "dedup"), s->dedup, 32) != LD_OK) {
		*why = "\"dedup\" must be 64 hex digits";
		return LD_EINVAL;
	}
	if (get_day(o, &s->day, why) != LD_OK)
		return LD_EINVAL;
	switch (s->kind) {
	case KIND_CREDIT:
		if (GETS(o, "account", s->account) != LD_OK) {
			*why = "\"account\" must be a string of 1..64 bytes";
			return LD_EINVAL;
		}
		if (GETS(o, "method", s->method) != LD_OK) {
			*why = "\"method\" must be a string of 1..64 bytes";
			return LD_EINVAL;
		}
		if (json_get_u64(json_get(o, "units"), &s->units) != LD_OK ||
		    json_get_u64(json_get(o, "grams"), &s->grams) != LD_OK) {
			*why = "\"units\" and \"grams\" must be unsigned integers";
			return LD_EINVAL;
		}
		ev = json_get(o, "evidence");
		if (ev != NULL && !json_is_nil(ev)) {
			if (json_get_hex(ev, s->evidence, 32) != LD_OK) {
				*why = "\"evidence\" must be 64 hex digits";
				return LD_EINVAL;
			}
			s->has_evidence = 1;
		}
		break;
	case KIND_RETIRE:
		if (GETS(o, "account", s->account) != LD_OK) {
			*why = "\"account\" must be a string of 1..64 bytes";
			return LD_EINVAL;
		}
		if (json_get_u64(json_get(o, "grams"), &s->grams) != LD_OK) {
			*why = "\"grams\" must be an unsigned integer";
			return LD_EINVAL;
		}
		if (GETS(o, "beneficiary", s->text) != LD_OK) {
			*why = "\"beneficiary\" must be a string of 1..256 bytes";
			return LD_EINVAL;
		}
		break;
	default:
		if (json_get_u64(json_get(o, "target"), &s->target) != LD_OK) {
			*why = "\"target\" must be an entry index";
			return LD_EINVAL;
		}
		if (GETS(o, "reason", s->text) != LD_OK) {
			*why = "\"reason\" must be a string of 1..256 bytes";
			return LD_EINVAL;
		}
		break;
	}
	return entry_sub_check(s, why);
}

struct json *
form_sub_to_json(const struct entry_sub *s)
{
	struct json	*o = json_obj();
	char		 day[16];

	json_set(o, "kind", json_str(entry_kind_name(s->kind)));
	switch (s->kind) {
	case KIND_CREDIT:
		json_set(o, "account", json_strn(s->account.s, s->account.len));
		json_set(o, "method", json_strn(s->method.s, s->method.len));
		json_set(o, "units", json_u64(s->units));
		json_set(o, "grams", json_u64(s->grams));
		break;
	case KIND_RETIRE:
		json_set(o, "account", json_strn(s->account.s, s->account.len));
		json_set(o, "grams", json_u64(s->grams));
		json_set(o, "beneficiary", json_strn(s->text.s, s->text.len));
		break;
	default:
		json_set(o, "target", json_u64(s->target));
		json_set(o, "reason", json_strn(s->text.s, s->text.len));
		break;
	}
	day_format(day, sizeof(day), s->day);
	json_set(o, "day", json_str(day));
	json_set(o, "dedup", json_hex(s->dedup, 32));
	if (s->kind == KIND_CREDIT)
		json_set(o, "evidence", s->has_evidence ?
		    json_hex(s->evidence, 32) : json_nil());
	return o;
}

int
form_batch_from_json(const struct json *o, struct codec_batch *r, long *bad_pos,
    const char **why)
{
	static const char *const keys[] = { "issuer", "entries", "signature",
	    NULL };
	const struct json	*ents;
	const char	*s;
	uint8_t		 sig[66];
	size_t		 n, i, len, siglen;

	memset(r, 0, sizeof(*r));
	*bad_pos = -1;
	if (!json_is_obj(o) || json_unknown_key(o, keys) != NULL) {
		*why = "body must be {\"issuer\", \"entries\", \"signature\"}";
		return LD_EINVAL;
	}
	if (GETS(o, "issuer", r->issuer) != LD_OK ||
	    entry_valid_id(r->issuer.s, r->issuer.len) != LD_OK) {
		*why = "\"issuer\" must be 1..64 of [A-Za-z0-9._-]";
		return LD_EINVAL;
	}
	ents = json_get(o, "entries");
	n = json_len(ents);
	if (n == 0 || n > BATCH_MAX) {
		*why = "\"entries\" must be an array of 1..10000 entries";
		return n ? LD_ETOOBIG : LD_EINVAL;
	}
	if (json_get_str(json_get(o, "signature"), &s, &len) != LD_OK ||
	    len != 88 || b64_decode(sig, &siglen, s, len) != LD_OK ||
	    siglen != 64) {
		*why = "\"signature\" must be base64 of 64 bytes";
		return LD_EINVAL;
	}
	memcpy(r->sig, sig, 64);
	r->subs = xcalloc(n, sizeof(struct entry_sub));
	for (i = 0; i < n; i++) {
		if (form_sub_from_json(json_at(ents, i), &r->subs[i], why) !=
		    LD_OK) {
			*bad_pos = (long)i;
			codec_batch_free(r);
			return LD_EINVAL;
		}
	}
	r->n = (uint32_t)n;
	return LD_OK;
}

const struct json_limits form_batch_limits = {
	.tokens = 7 + 19 * (size_t)BATCH_MAX,
	.str = 6 * TEXT_MAX,
	.depth = 3,
};

struct json *
form_batch_to_json(const struct codec_batch *r)
{
	struct json	*o = json_obj(), *a = json_arr();
	uint32_t	 i;

	json_set(o, "issuer", json_strn(r->issuer.s, r->issuer.len));
	for (i = 0; i < r->n; i++)
		json_push(a, form_sub_to_json(&r->subs[i]));
	json_set(o, "entries", a);
	json_set(o, "signature", json_b64(r->sig, 64));
	return o;
}

int
form_issuer_from_json(const struct json *o, struct entry_issuer *reg,
    const char **why)
{
	static const char *const keys[] = { "vkey", "name", NULL };
	struct sig_key	*k;
	const char	*s;
	size_t		 len;
	int		 rc = LD_EINVAL;

	memset(reg, 0, sizeof(*reg));
	if (!json_is_obj(o) || json_unknown_key(o, keys) != NULL) {
		*why = "body must be {\"vkey\", \"name\"}";
		return LD_EINVAL;
	}
	if (json_get_str(json_get(o, "vkey"), &s, &len) != LD_OK ||
	    (rc = sig_key_from_vkey(s, len, &k)) != LD_OK) {
		*why = rc == LD_EWEAKKEY ? "\"vkey\" holds a weak Ed25519 "
		    "public key (of small order, so anyone can sign for it; or "
		    "not a canonical encoding of a curve point): make a new key "
		    "with ledger keygen" :
		    "\"vkey\" must be a signed-note verifier key "
		    "(name+hexid+base64)";
		return LD_EINVAL;
	}
	if (sig_key_type(k) != SIG_TYPE_ED25519 ||
	    STR_SET(reg->id, sig_key_name(k), strlen(sig_key_name(k))) ||
	    entry_valid_id(reg->id.s, reg->id.len) != LD_OK) {
		sig_key_free(k);
		*why = "the key must be Ed25519 (type 0x01) and its name an "
		    "issuer id of 1..64 [A-Za-z0-9._-]";
		return LD_EINVAL;
	}
	memcpy(reg->pub, sig_key_pub(k), 32);
	sig_key_free(k);
	if (GETS(o, "name", reg->name) != LD_OK ||
	    entry_valid_text(reg->name.s, reg->name.len, TEXT_MAX) != LD_OK) {
		*why = "\"name\" must be 1..256 bytes of UTF-8 text";
		return LD_EINVAL;
	}
	return LD_OK;
}

int
form_method_from_json(const struct json *o, struct entry_method *m,
    const char **why)
{
	static const char *const keys[] = { "id", "activity", "unit",
	    "grams_per_unit", "max_grams_per_event",
	    "max_grams_per_account_day", "valid_from", "max_event_age_days",
	    "reference", NULL };
	const char	*d;
	size_t		 dlen;
	uint64_t	 age;

	memset(m, 0, sizeof(*m));
	if (!json_is_obj(o) || json_unknown_key(o, keys) != NULL) {
		*why = "method must be {id, activity, unit, grams_per_unit, "
		    "max_grams_per_event, max_grams_per_account_day, "
		    "valid_from, max_event_age_days, reference}";
		return LD_EINVAL;
	}
	if (GETS(o, "id", m->id) != LD_OK ||
	    entry_valid_id(m->id.s, m->id.len) != LD_OK) {
		*why = "\"id\" must be 1..64 of [A-Za-z0-9._-]";
		return LD_EINVAL;
	}
	if (GETS(o, "activity", m->activity) || GETS(o, "unit", m->unit) ||
	    GETS(o, "reference", m->reference) ||
	    entry_valid_text(m->activity.s, m->activity.len, TEXT_MAX) ||
	    entry_valid_text(m->unit.s, m->unit.len, TEXT_MAX) ||
	    entry_valid_text(m->reference.s, m->reference.len, REFERENCE_MAX)) {
		*why = "\"activity\", \"unit\" (1..256) and \"reference\" "
		    "(1..1024) must be UTF-8 text";
		return LD_EINVAL;
	}
	if (json_get_u64(json_get(o, "grams_per_unit"), &m->grams_per_unit) ||
	    json_get_u64(json_get(o, "max_grams_per_event"), &m->max_event) ||
	    json_get_u64(json_get(o, "max_grams_per_account_day"),
	    &m->max_day) ||
	    m->grams_per_unit == 0 || m->max_event == 0 || m->max_day == 0) {
		*why = "grams_per_unit and both caps must be positive integers";
		return LD_EINVAL;
	}
	if (json_get_str(json_get(o, "valid_from"), &d, &dlen) != LD_OK ||
	    dlen != 10 || day_parse_utc(d, dlen, &m->valid_from) != LD_OK) {
		*why = "\"valid_from\" must be a YYYY-MM-DD date: the first "
		    "event day the method covers";
		return LD_EINVAL;
	}
	if (json_get_u64(json_get(o, "max_event_age_days"), &age) != LD_OK ||
	    age > UINT32_MAX) {
		*why = "\"max_event_age_days\" must be an integer 0..4294967295: "
		    "how many days before the integration day an event may lie";
		return LD_EINVAL;
	}
	m->max_age = (uint32_t)age;
	return LD_OK;
}

struct json *
form_method_to_json(const struct entry_method *m)
{
	struct json	*o = json_obj();
	char		 day[16];

	json_set(o, "id", json_strn(m->id.s, m->id.len));
	json_set(o, "activity", json_strn(m->activity.s, m->activity.len));
	json_set(o, "unit", json_strn(m->unit.s, m->unit.len));
	json_set(o, "grams_per_unit", json_u64(m->grams_per_unit));
	json_set(o, "max_grams_per_event", json_u64(m->max_event));
	json_set(o, "max_grams_per_account_day", json_u64(m->max_day));
	day_format(day, sizeof(day), m->valid_from);
	json_set(o, "valid_from", json_str(day));
	json_set(o, "max_event_age_days", json_u64(m->max_age));
	json_set(o, "reference", json_strn(m->reference.s, m->reference.len));
	return o;
}

struct json *
form_totals_to_json(const struct entry_totals *t)
{
	struct json	*o = json_obj(), *c = json_obj();
	int		 k;

	json_set(o, "credited_grams", json_u64(t->credited));
	json_set(o, "retired_grams", json_u64(t->retired));
	json_set(o, "reversed_grams", json_u64(t->reversed));
	for (k = 1; k <= KIND_MAX; k++)
		json_set(c, entry_kind_name(k), json_u64(t->count[k]));
	json_set(o, "entries", c);
	return o;
}

static struct json *
index_or_null(uint64_t v)
{
	return v == NO_INDEX ? json_nil() : json_u64(v);
}

struct json *
form_leaf_to_json(const struct entry_leaf *l)
{
	struct json	*o = json_obj(), *x, *runs;
	uint32_t	 i;
	int64_t		 bal;

	json_set(o, "version", json_u64(LEAF_VERSION));
	json_set(o, "kind", json_str(entry_kind_name(l->kind)));
	json_set(o, "index", json_u64(l->index));
	json_set(o, "time", json_u64(l->time));
	json_set(o, "prev", json_hex(l->prev, 32));
	switch (l->kind) {
	case KIND_ISSUER:
		json_set(o, "id", json_strn(l->u.issuer.id.s,
		    l->u.issuer.id.len));
		json_set(o, "name", json_strn(l->u.issuer.name.s,
		    l->u.issuer.name.len));
		json_set(o, "public_key", json_hex(l->u.issuer.pub, 32));
		break;
	case KIND_METHOD:
		json_set(o, "method", form_method_to_json(&l->u.method));
		break;
	case KIND_BATCH:
		json_set(o, "issuer", json_strn(l->u.batch.issuer.s,
		    l->u.batch.issuer.len));
		json_set(o, "entries", json_u64(l->u.batch.n));
		json_set(o, "root", json_hex(l->u.batch.root, 32));
		json_set(o, "signature", json_b64(l->u.batch.sig, 64));
		runs = json_arr();
		for (i = 0; i < l->u.batch.nruns; i++) {
			x = json_obj();
			json_set(x, "pos", json_u64(l->u.batch.runs[i].pos));
			json_set(x, "count",
			    json_u64(l->u.batch.runs[i].count));
			json_set(x, "index",
			    json_u64(l->u.batch.runs[i].index));
			json_push(runs, x);
		}
		json_set(o, "duplicates", runs);
		break;
	default:
		json_set(o, "issuer", json_strn(l->u.e.issuer.s,
		    l->u.e.issuer.len));
		json_set(o, "batch", json_u64(l->u.e.batch));
		json_set(o, "pos", json_u64(l->u.e.pos));
		json_set(o, "entry", form_sub_to_json(&l->u.e.sub));
		x = json_obj();
		json_set(x, "credited_grams", json_u64(l->u.e.acct.credited));
		json_set(x, "retired_grams", json_u64(l->u.e.acct.retired));
		json_set(x, "reversed_grams", json_u64(l->u.e.acct.reversed));
		if (entry_account_balance(&l->u.e.acct, &bal) == LD_OK)
			json_set(x, "balance_grams", json_i64(bal));
		json_set(x, "prev", index_or_null(l->u.e.acct.prev));
		json_set(o, "account", x);
		x = json_obj();
		json_set(x, "credited_grams", json_u64(l->u.e.iss.credited));
		json_set(x, "retired_grams", json_u64(l->u.e.iss.retired));
		json_set(x, "reversed_grams", json_u64(l->u.e.iss.reversed));
		json_set(x, "prev", index_or_null(l->u.e.iss.prev));
		json_set(o, "issuer_totals", x);
		break;
	}
	json_set(o, "totals", form_totals_to_json(&l->totals));
	return o;
}
