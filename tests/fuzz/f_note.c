/* f_note.c - fuzz note_parse and checkpoint_parse (C2SP signed notes). */
/*
 * Invariants:
 * - an accepted note is exactly its text, a blank line and its signature
 *   lines "— <name> base64(id || sig)\n" rebuilt from the parsed parts;
 *   the text is valid (ends in "\n") and has at least one signature;
 * - note_verify with a key the fuzzer does not hold never succeeds;
 * - checkpoint_parse of the note's text (and of the raw input): an
 *   accepted checkpoint formats (checkpoint_format) to exactly the text
 *   when it has no extension lines, and to a prefix of it otherwise.
 */
#include "b64.h"
#include "buf.h"
#include "checkpoint.h"
#include "err.h"
#include "fuzz.h"
#include "note.h"
#include "sig.h"

static struct sig_key	*key;

static void
check_checkpoint(const char *text, size_t len)
{
	struct checkpoint	c;
	struct buf		b = { 0 };

	if (checkpoint_parse(text, len, &c) != LD_OK)
		return;
	checkpoint_format(&c, &b);
	if (c.nextensions == 0)
		CHECK(same_bytes(b.p, b.len, text, len));
	else
		CHECK(b.len < len && memcmp(b.p, text, b.len) == 0);
	buf_free(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct sig_key *const	 keys[1] = { NULL };
	struct note			 n;
	struct buf			 b = { 0 };
	uint8_t				*raw;
	char				*b64;
	size_t				 i, nv;
	int				 rc;

	if (key == NULL &&
	    sig_keygen("ledger.example.org/carbon/2026", SIG_TYPE_ED25519,
	    &key) != LD_OK)
		abort();
	check_checkpoint((const char *)data, size);
	rc = note_parse((const char *)data, size, &n);
	if (rc != LD_OK) {
		CHECK(rc == LD_EINVAL || rc == LD_ETOOBIG);
		CHECK(n.text == NULL && n.sigs == NULL && n.nsigs == 0);
		return 0;
	}
	CHECK(n.text_len >= 1 && n.text[n.text_len - 1] == '\n');
	CHECK(n.text[n.text_len] == '\0');
	CHECK(n.nsigs >= 1 && n.nsigs <= NOTE_MAX_SIGS);
	buf_add(&b, n.text, n.text_len);
	buf_addc(&b, '\n');
	for (i = 0; i < n.nsigs; i++) {
		CHECK(n.sigs[i].len >= 1 && n.sigs[i].len <= NOTE_SIG_MAX);
		raw = malloc(4 + n.sigs[i].len);
		b64 = malloc(b64_encoded_len(4 + n.sigs[i].len) + 1);
		CHECK(raw != NULL && b64 != NULL);
		raw[0] = (uint8_t)(n.sigs[i].id >> 24);
		raw[1] = (uint8_t)(n.sigs[i].id >> 16);
		raw[2] = (uint8_t)(n.sigs[i].id >> 8);
		raw[3] = (uint8_t)n.sigs[i].id;
		memcpy(raw + 4, n.sigs[i].sig, n.sigs[i].len);
		b64_encode(b64, raw, 4 + n.sigs[i].len);
		buf_adds(&b, "\xe2\x80\x94 ");
		buf_adds(&b, n.sigs[i].name);
		buf_addc(&b, ' ');
		buf_adds(&b, b64);
		buf_addc(&b, '\n');
		free(raw);
		free(b64);
	}
	CHECK(same_bytes(b.p, b.len, data, size));
	check_checkpoint(n.text, n.text_len);
	/* No key: refused. The fuzzer cannot sign for the static key. */
	CHECK(note_verify(&n, keys, 1, &nv) != LD_OK);
	CHECK(note_verify(&n, (const struct sig_key *const *)&key, 1, &nv) !=
	    LD_OK);
	buf_free(&b);
	note_free(&n);
	return 0;
}
