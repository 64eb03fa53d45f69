/* cpstate.c - the checkpoint a user's state directory remembers (--state DIR). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cpstate.h"
#include "err.h"
#include "file.h"
#include "xmalloc.h"

int
cpstate_load(const char *path, const struct trust *t, struct trust_cp *c,
    char **text, size_t *len, struct ld_error *e)
{
	int	rc;

	*text = NULL;
	if ((rc = file_read(path, NOTE_MAX, text, len)) != LD_OK) {
		if (e != NULL)
			ld_error_set(e, rc, "state", UINT64_MAX, "cannot read "
			    "%s", path);
		return rc;
	}
	if ((rc = trust_open(t, *text, *len, c, e)) != LD_OK) {
		free(*text);
		*text = NULL;
	}
	return rc;
}

int
cpstate_check(struct fetch *f, const char *dir, const struct trust *t,
    const struct checkpoint *cp, const char *note, size_t nlen,
    struct ld_error *e)
{
	struct trust_cp		 old;
	char			*path, *text = NULL, *ev, m[sizeof(e->msg)];
	size_t			 len;
	int			 rc = LD_OK, have;

	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		e->code = LD_ESYS;
		snprintf(e->msg, sizeof(e->msg), "cannot create %s", dir);
		return LD_ESYS;
	}
	path = xasprintf("%s/checkpoint", dir);
	rc = cpstate_load(path, t, &old, &text, &len, e);
	have = rc == LD_OK;
	if (rc != LD_OK && rc != LD_ENOTFOUND) {
		snprintf(m, sizeof(m), "%s", e->msg);
		rc = ld_error_set(e, LD_EBADSIG, "state", UINT64_MAX, "the "
		    "state's checkpoint %s: %s (use another --state DIR)",
		    path, m);
		goto out;
	}
	rc = LD_OK;
	if (have)
		rc = client_consistency(f, &old.cp, cp, e);
	if (rc == LD_EBADPROOF && strcmp(e->rule, "fork") == 0) {
		/* Keep both signed checkpoints: evidence. */
		ev = xasprintf("%s/fork-%llu", dir,
		    (unsigned long long)cp->size);
		file_write(ev, note, nlen, 0644, 0);
		free(ev);
	}
	if (rc == LD_OK && (!have || cp->size > old.cp.size) &&
	    file_write(path, note, nlen, 0644, 0) != LD_OK) {
		e->code = rc = LD_ESYS;
		snprintf(e->msg, sizeof(e->msg), "cannot save %s", path);
	}
out:
	free(text);
	free(path);
	return rc;
}
