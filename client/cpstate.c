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
cpstate_load(const char *path, const struct sig_key *log,
    struct checkpoint *c, char **text, size_t *len)
{
	int	rc;

	*text = NULL;
	if ((rc = file_read(path, NOTE_MAX, text, len)) != LD_OK)
		return rc;
	if ((rc = checkpoint_open(*text, *len, log, c)) != LD_OK) {
		free(*text);
		*text = NULL;
	}
	return rc;
}

int
cpstate_check(struct fetch *f, const char *dir, const struct sig_key *log,
    const struct checkpoint *cp, const char *note, size_t nlen,
    struct ld_error *e)
{
	struct checkpoint	 old;
	char			*path, *text = NULL, *ev;
	size_t			 len;
	int			 rc = LD_OK, have;

	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		e->code = LD_ESYS;
		snprintf(e->msg, sizeof(e->msg), "cannot create %s", dir);
		return LD_ESYS;
	}
	path = xasprintf("%s/checkpoint", dir);
	have = cpstate_load(path, log, &old, &text, &len) == LD_OK;
	if (have)
		rc = client_consistency(f, &old, cp, e);
	if (rc == LD_EBADPROOF && strcmp(e->rule, "fork") == 0) {
		/* Keep both signed checkpoints: evidence. */
		ev = xasprintf("%s/fork-%llu", dir,
		    (unsigned long long)cp->size);
		file_write(ev, note, nlen, 0644, 0);
		free(ev);
	}
	if (rc == LD_OK && (!have || cp->size > old.size) &&
	    file_write(path, note, nlen, 0644, 0) != LD_OK) {
		e->code = rc = LD_ESYS;
		snprintf(e->msg, sizeof(e->msg), "cannot save %s", path);
	}
	free(text);
	free(path);
	return rc;
}
