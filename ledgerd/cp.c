/* cp.c - the current signed checkpoint, shared between threads. */
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "cp.h"
#include "err.h"
#include "ledgerd.h"
#include "log.h"
#include "xmalloc.h"

struct cp *
cp_sign(struct ledgerd *ld, uint64_t size, const uint8_t root[32])
{
	struct checkpoint	 c;
	struct buf		 body = { 0 }, note = { 0 };
	struct cp		*cp;

	memset(&c, 0, sizeof(c));
	snprintf(c.origin, sizeof(c.origin), "%s", ld->origin);
	c.size = size;
	memcpy(c.root, root, 32);
	checkpoint_format(&c, &body);
	if (note_sign((const char *)body.p, body.len, ld->key, &note) != LD_OK)
		fatalx("cannot sign the checkpoint");
	cp = xmalloc(sizeof(*cp) + note.len + 1);
	atomic_init(&cp->refs, 1);
	cp->size = size;
	memcpy(cp->root, root, 32);
	cp->time = (uint64_t)time(NULL);
	cp->len = note.len;
	memcpy(cp->text, note.p, note.len);
	cp->text[note.len] = '\0';
	buf_free(&body);
	buf_free(&note);
	return cp;
}

struct cp *
cp_with_text(const struct cp *cp, const char *text, size_t len)
{
	struct cp	*n = xmalloc(sizeof(*n) + len + 1);

	atomic_init(&n->refs, 1);
	n->size = cp->size;
	memcpy(n->root, cp->root, 32);
	n->time = cp->time;
	n->len = len;
	memcpy(n->text, text, len);
	n->text[len] = '\0';
	return n;
}

struct cp *
cp_get(struct ledgerd *ld)
{
	struct cp	*cp;

	pthread_mutex_lock(&ld->cp_mu);
	cp = ld->cp;
	if (cp != NULL)
		atomic_fetch_add(&cp->refs, 1);
	pthread_mutex_unlock(&ld->cp_mu);
	return cp;
}

struct cp *
cp_ref(struct cp *cp)
{
	atomic_fetch_add(&cp->refs, 1);
	return cp;
}

void
cp_put(struct cp *cp)
{
	if (cp != NULL && atomic_fetch_sub(&cp->refs, 1) == 1)
		free(cp);
}

void
cp_set(struct ledgerd *ld, struct cp *cp)
{
	struct cp	*old;

	pthread_mutex_lock(&ld->cp_mu);
	old = ld->cp;
	ld->cp = cp;
	pthread_mutex_unlock(&ld->cp_mu);
	cp_put(old);
}
