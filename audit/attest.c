/* attest.c - the auditor cosigner's check: mirror, replay, no finding. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "attest.h"
#include "err.h"
#include "finding.h"
#include "store.h"
#include "sync.h"

enum attest_verdict
attest_check(const struct attest_opts *o, const char *note, size_t len,
    struct attest_result *res)
{
	struct sync_opts	 so;
	struct sync_result	 sr;
	struct store		*st = NULL;
	struct store_txn	*t = NULL;
	int			 rc;

	memset(res, 0, sizeof(*res));
	memset(&so, 0, sizeof(so));
	so.url = o->url;
	so.cacert = o->cacert;
	so.vkey = o->vkey;
	so.state = o->state;
	so.mapsize = o->mapsize;
	so.now = (uint64_t)time(NULL);
	so.checkpoint = note;
	so.checkpoint_len = len;
	rc = sync_run(&so, &sr);
	res->size = sr.size;
	if (sr.fork) {
		/* Not consistent with what was mirrored: evidence kept. */
		buf_printf(&res->codes, "fork 1\n");
		snprintf(res->error, sizeof(res->error), "%s", sr.error);
		return res->verdict = ATTEST_FINDINGS;
	}
	if (rc != LD_OK || sr.root_mismatch) {
		/* The tiles could not be read, or not as signed (a fault in
		 * transit as much as the log's): nothing is cosigned. */
		snprintf(res->error, sizeof(res->error), "not mirrored: %.600s",
		    sr.error);
		return res->verdict = ATTEST_BEHIND;
	}
	if ((rc = store_open(&st, o->state, o->mapsize, 0)) != LD_OK ||
	    (rc = store_begin(st, 1, &t)) != LD_OK) {
		store_close(st);
		snprintf(res->error, sizeof(res->error), "%s: cannot read the "
		    "mirror: %s", o->state, ld_strerror(rc));
		return res->verdict = ATTEST_BEHIND;
	}
	res->findings = finding_tally(t, &res->codes);
	store_abort(t);
	store_close(st);
	if (res->findings > 0) {
		snprintf(res->error, sizeof(res->error), "%llu findings in the "
		    "log up to size %llu", (unsigned long long)res->findings,
		    (unsigned long long)res->size);
		return res->verdict = ATTEST_FINDINGS;
	}
	return res->verdict = ATTEST_CLEAN;
}
