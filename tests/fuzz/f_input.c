/* f_input.c - fuzz input_line, the JSON Lines / CSV reader of ledger submit. */
/*
 * The input is a file: it is split at "\n" and each line goes, as its own
 * NUL-terminated buffer without the newline, to input_line with one fresh
 * struct input per fuzz input. Invariants: the result is 1, 0 or
 * LD_EINVAL with a reason; an entry returned encodes (codec_sub_encode),
 * passes entry_sub_check, and its JSON face (form_sub_to_json) reads back to
 * the same encoding.
 */
#include "buf.h"
#include "codec.h"
#include "entry.h"
#include "err.h"
#include "form.h"
#include "fuzz.h"
#include "input.h"
#include "json.h"

static void
check_entry(const struct entry_sub *s)
{
	struct buf	 a = { 0 }, b = { 0 }, j = { 0 };
	struct json	*o, *doc;
	struct entry_sub	 s2;
	const char	*why = NULL;

	CHECK(codec_sub_encode(s, &a) == LD_OK);
	CHECK(entry_sub_check(s, &why) == LD_OK);
	o = form_sub_to_json(s);
	json_render(o, &j);
	CHECK(json_parse((const char *)j.p, j.len, &doc, NULL, 0) == LD_OK);
	CHECK(form_sub_from_json(doc, &s2, &why) == LD_OK);
	CHECK(codec_sub_encode(&s2, &b) == LD_OK);
	CHECK(same_bytes(a.p, a.len, b.p, b.len));
	json_free(doc);
	json_free(o);
	buf_free(&a);
	buf_free(&b);
	buf_free(&j);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input	 in;
	struct entry_sub	 s;
	const uint8_t	*p = data, *end = data + size, *nl;
	const char	*why;
	char		*line;
	size_t		 len;
	int		 rc;

	memset(&in, 0, sizeof(in));
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		line = fuzz_strdup(p, len);
		why = NULL;
		rc = input_line(&in, line, len, &s, &why);
		CHECK(rc == 1 || rc == 0 || rc == LD_EINVAL);
		if (rc == LD_EINVAL)
			CHECK(why != NULL);
		if (rc == 1)
			check_entry(&s);
		free(line);
		p += len + 1;
	}
	input_free(&in);
	return 0;
}
