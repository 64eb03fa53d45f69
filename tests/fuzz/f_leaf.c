/* f_leaf.c - fuzz codec_leaf_decode, the strict canonical leaf decoder. */
/*
 * Invariant: a leaf that decodes re-encodes (codec_leaf_encode) to
 * exactly the input bytes; a refused input leaves nothing to free. The
 * form_leaf_to_json face of a decoded leaf must render too.
 */
#include "buf.h"
#include "codec.h"
#include "entry.h"
#include "err.h"
#include "form.h"
#include "fuzz.h"
#include "json.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct entry_leaf	 l;
	struct buf	 b = { 0 }, j = { 0 };
	struct json	*o;
	int		 rc;

	rc = codec_leaf_decode(data, size, &l);
	if (rc != LD_OK) {
		CHECK(rc == LD_EINVAL);
		CHECK(l.kind != KIND_BATCH || l.u.batch.runs == NULL);
		return 0;
	}
	CHECK(l.kind >= KIND_ISSUER && l.kind <= KIND_MAX);
	CHECK(codec_leaf_encode(&l, &b) == LD_OK);
	CHECK(same_bytes(b.p, b.len, data, size));
	o = form_leaf_to_json(&l);
	json_render(o, &j);
	CHECK(j.len > 0);
	json_free(o);
	buf_free(&j);
	buf_free(&b);
	entry_leaf_free(&l);
	return 0;
}
