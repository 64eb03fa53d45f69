/* finding.c - the auditor's findings: their codes and how they are stored. */
/*
 * FINDING_CODES is the whole set of codes, exactly those docs/auditors.md
 * documents (tools/lint.sh compares them); a rule of common/rules.c is
 * reported under the code its row here names, never under its own name.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "entry.h"
#include "err.h"
#include "finding.h"
#include "json.h"
#include "log.h"
#include "store.h"
#include "u64.h"

const char *const finding_codes[] = {
	/* the log itself */
	"fork", "not-canonical", "chain-break", "counter-mismatch",
	"bad-signature", "weak-key",
	/* the rules */
	"duplicate-dedup", "over-cap-event", "over-cap-day", "factor-mismatch",
	"unknown-method", "overspent", "bad-reversal", "unknown-issuer",
	"overflow", "future-day", "event-too-old", "before-method",
	"malformed-entry", "duplicate-registration",
	/* the auditor's clock */
	"future-time",
	/* leads */
	"duplicate-evidence",
	NULL
};

/* Every rule name of common/rules.c and its code (tools/lint.sh checks
 * that each rule is here). */
static const struct {
	const char	*rule, *code;
} rule_codes[] = {
	{ "duplicate-dedup", "duplicate-dedup" },
	{ "over-cap-event", "over-cap-event" },
	{ "over-cap-day", "over-cap-day" },
	{ "factor-mismatch", "factor-mismatch" },
	{ "overspent", "overspent" },
	{ "bad-reversal", "bad-reversal" },
	{ "unknown-issuer", "unknown-issuer" },
	{ "unknown-method", "unknown-method" },
	{ "overflow", "overflow" },
	{ "future-day", "future-day" },
	{ "event-too-old", "event-too-old" },
	{ "before-method", "before-method" },
	{ "time-order", "chain-break" },
	{ "batch-order", "chain-break" },
	{ "leaf-size", "malformed-entry" },
	{ "issuer-id", "malformed-entry" },
	{ "issuer-name", "malformed-entry" },
	{ "method-id", "malformed-entry" },
	{ "method-text", "malformed-entry" },
	{ "method-factor", "malformed-entry" },
	{ "batch-size", "malformed-entry" },
	{ "batch-runs", "malformed-entry" },
	{ "entry-fields", "malformed-entry" },
	{ "duplicate-issuer", "duplicate-registration" },
	{ "weak-key", "weak-key" },
	{ "duplicate-method", "duplicate-registration" },
};

const char *
finding_code(const char *rule)
{
	size_t	i;

	for (i = 0; i < sizeof(rule_codes) / sizeof(rule_codes[0]); i++)
		if (strcmp(rule, rule_codes[i].rule) == 0)
			return rule_codes[i].code;
	/* A rule without a row: never its own name (lint catches it). */
	return "malformed-entry";
}

static int
known(const char *code)
{
	size_t	i;

	for (i = 0; finding_codes[i] != NULL; i++)
		if (strcmp(code, finding_codes[i]) == 0)
			return 1;
	return 0;
}

int
finding_store(struct store_txn *t, const char *code, uint64_t index,
    uint64_t related, const char *msg)
{
	struct json	*o;
	struct buf	 b = { 0 };
	char		 key[96];
	const uint8_t	*p;
	uint8_t		 sb[8];
	size_t		 len;
	uint64_t	 seq = 0;
	int		 rc;

	if (!known(code)) {
		log_warnx("finding code %s is not documented", code);
		return LD_EINVAL;
	}
	o = json_obj();
	json_set(o, "code", json_str(code));
	json_set(o, "index", index == NO_INDEX ? json_nil() : json_u64(index));
	if (related != NO_INDEX)
		json_set(o, "related", json_u64(related));
	json_set(o, "message", json_str(msg));
	json_render(o, &b);
	json_free(o);
	/* A sequence kept in the mirror: keys never collide across runs. */
	if (store_meta_get(t, "audit/finding-seq", &p, &len) == LD_OK &&
	    len == 8)
		seq = u64_le_get(p);
	seq++;
	snprintf(key, sizeof(key), "finding/%020llu/%s/%020llu",
	    (unsigned long long)(index == NO_INDEX ? 0 : index), code,
	    (unsigned long long)seq);
	rc = store_meta_put(t, key, b.p, b.len);
	u64_le_put(sb, seq);
	if (rc == LD_OK)
		rc = store_meta_put(t, "audit/finding-seq", sb, 8);
	buf_free(&b);
	return rc;
}

/* A finding's key: finding/<index>/<code>/<seq>; count it by code. */
static int
tally_one(void *arg, const char *key, size_t klen, const uint8_t *v,
    size_t vlen)
{
	uint64_t	*counts = arg;
	const char	*code = memchr(key + 8, '/', klen - 8), *end;
	size_t		 i;

	(void)v;
	(void)vlen;
	if (code == NULL)
		return 0;
	code++;
	end = memchr(code, '/', klen - (size_t)(code - key));
	for (i = 0; end != NULL && i < FINDING_MAX_CODES &&
	    finding_codes[i] != NULL; i++)
		if (strlen(finding_codes[i]) == (size_t)(end - code) &&
		    memcmp(code, finding_codes[i], (size_t)(end - code)) == 0)
			counts[i]++;
	return 0;
}

uint64_t
finding_tally(struct store_txn *t, struct buf *out)
{
	uint64_t	counts[FINDING_MAX_CODES] = { 0 }, total = 0;
	size_t		i;

	store_meta_each(t, "finding/", tally_one, counts);
	for (i = 0; i < FINDING_MAX_CODES && finding_codes[i] != NULL; i++) {
		if (counts[i] == 0)
			continue;
		buf_printf(out, "%s %llu\n", finding_codes[i],
		    (unsigned long long)counts[i]);
		total += counts[i];
	}
	return total;
}
