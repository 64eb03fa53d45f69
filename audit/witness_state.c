/* witness_state.c - the witness's per-origin records on disk. */
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "checkpoint.h"
#include "err.h"
#include "file.h"
#include "hex.h"
#include "merkle.h"
#include "note.h"
#include "witness_state.h"
#include "xmalloc.h"

struct witness_state {
	char		*dir;
	pthread_mutex_t	 mu;
};

int
witness_state_open(const char *dir, struct witness_state **out)
{
	struct witness_state	*st;
	struct stat		 sb;

	if (stat(dir, &sb) != 0)
		return LD_ENOTFOUND;
	if (!S_ISDIR(sb.st_mode))
		return LD_EINVAL;
	st = xcalloc(1, sizeof(*st));
	st->dir = xstrdup(dir);
	pthread_mutex_init(&st->mu, NULL);
	*out = st;
	return LD_OK;
}

void
witness_state_close(struct witness_state *st)
{
	if (st == NULL)
		return;
	pthread_mutex_destroy(&st->mu);
	free(st->dir);
	free(st);
}

void
witness_state_name(const char *origin, char out[WITNESS_STATE_NAME_LEN + 1])
{
	uint8_t	h[32];

	merkle_sha256(h, origin, strlen(origin));
	hex_encode(out, h, sizeof(h));
}

static char *
rec_path(const struct witness_state *st, const char *origin)
{
	char	name[WITNESS_STATE_NAME_LEN + 1];

	witness_state_name(origin, name);
	return xasprintf("%s/%s", st->dir, name);
}

int
witness_state_read(struct witness_state *st, const char *origin,
    struct witness_state_rec *rec)
{
	char	*path, *s = NULL;
	size_t	 len;
	int	 rc;

	memset(rec, 0, sizeof(*rec));
	path = rec_path(st, origin);
	rc = file_read(path, NOTE_MAX, &s, &len);
	free(path);
	if (rc == LD_ENOTFOUND)
		return LD_OK;
	if (rc != LD_OK)
		return rc == LD_ETOOBIG ? LD_ECORRUPT : LD_ESYS;
	rec->raw = s;
	rec->raw_len = len;
	if (note_parse(s, len, &rec->note) != LD_OK ||
	    checkpoint_parse(rec->note.text, rec->note.text_len, &rec->cp) !=
	    LD_OK || strcmp(rec->cp.origin, origin) != 0)
		return LD_ECORRUPT;
	rec->found = 1;
	return LD_OK;
}

void
witness_state_rec_free(struct witness_state_rec *rec)
{
	if (rec == NULL)
		return;
	note_free(&rec->note);
	free((char *)rec->raw);
	memset(rec, 0, sizeof(*rec));
}

/*
 * file_write syncs the directory but does not report a failure to; a
 * witness must know the rename is durable before it answers (else a
 * crash could bring back an older size, and a fork of the log from it
 * could be cosigned), so it syncs again and checks.
 */
static int
sync_dir(const struct witness_state *st)
{
	int	fd, rc = LD_OK;

	if ((fd = open(st->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return LD_ESYS;
	if (fsync(fd) != 0)
		rc = LD_ESYS;
	close(fd);
	return rc;
}

int
witness_state_update(struct witness_state *st, const char *origin,
    witness_state_fn *fn, void *arg)
{
	struct witness_state_rec	 cur;
	struct buf			 next = { 0 };
	char				*path = NULL;
	int				 rc;

	pthread_mutex_lock(&st->mu);
	if ((rc = witness_state_read(st, origin, &cur)) != LD_OK)
		goto out;
	if ((rc = fn(&cur, arg, &next)) != LD_OK || next.len == 0)
		goto out;
	path = rec_path(st, origin);
	if ((rc = file_write(path, next.p, next.len, 0644, 0)) == LD_OK)
		rc = sync_dir(st);
out:
	pthread_mutex_unlock(&st->mu);
	free(path);
	buf_free(&next);
	witness_state_rec_free(&cur);
	return rc;
}
