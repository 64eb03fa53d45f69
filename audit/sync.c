/* sync.c - ledger-audit sync: mirror the log through its tiles and replay it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "checkpoint.h"
#include "err.h"
#include "fetch.h"
#include "file.h"
#include "finding.h"
#include "log.h"
#include "merkle.h"
#include "note.h"
#include "prefetch.h"
#include "replay.h"
#include "sig.h"
#include "store.h"
#include "sync.h"
#include "tiles.h"
#include "u64.h"
#include "xmalloc.h"

#define CHUNK_BUNDLES	64	/* verify and commit every 16,384 entries */

static double
now_s(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Keep a signed checkpoint as evidence in DIR/evidence/. */
static void
keep_evidence(const char *state, const char *name, const char *text,
    size_t len)
{
	char	*dir = xasprintf("%s/evidence", state), *path;

	mkdir(dir, 0755);
	path = xasprintf("%s/%s", dir, name);
	file_write(path, text, len, 0644, 0);
	free(path);
	free(dir);
}

/* Record a finding in its own transaction (the mirror is not touched). */
static void
store_finding(struct store *st, const char *code, uint64_t index,
    uint64_t related, const char *msg)
{
	struct store_txn	*t;
	const uint8_t		*p;
	uint8_t			 nb[8];
	size_t			 len;
	uint64_t		 n = 0;

	if (store_begin(st, 0, &t) != LD_OK)
		return;
	if (store_meta_get(t, "audit/findings", &p, &len) == LD_OK && len == 8)
		n = u64_le_get(p);
	u64_le_put(nb, ++n);
	if (finding_store(t, code, index, related, msg) != LD_OK ||
	    store_meta_put(t, "audit/findings", nb, 8) != LD_OK)
		store_abort(t);
	else
		store_commit(t);
}

/*
 * Whether the mirror's tree has root at size (a prefix of what it
 * mirrors): LD_OK, LD_EBADPROOF, or another error. *findings gets the
 * mirror's count of findings.
 */
static int
mirror_prefix(struct store *st, uint64_t size, const uint8_t root[32],
    uint64_t *findings)
{
	struct store_txn	*t;
	const uint8_t		*p;
	uint8_t			 r[32];
	size_t			 len;
	int			 rc;

	*findings = 0;
	if ((rc = store_begin(st, 1, &t)) != LD_OK)
		return rc;
	if (store_meta_get(t, "audit/findings", &p, &len) == LD_OK && len == 8)
		*findings = u64_le_get(p);
	if (size == 0)
		merkle_empty_root(r);
	else if (merkle_root(store_node_fn, t, size, r) != MERKLE_OK) {
		store_abort(t);
		return LD_ECORRUPT;
	}
	store_abort(t);
	return memcmp(r, root, 32) == 0 ? LD_OK : LD_EBADPROOF;
}

int
sync_run(const struct sync_opts *o, struct sync_result *res)
{
	struct sig_key		*log = NULL;
	struct trust		 kt;
	const struct trust	*t = o->trust;
	struct ld_error		 te;
	char			*vkey = NULL;
	struct fetch		*f = NULL;
	struct store		*st = NULL;
	struct store_txn	*txn = NULL;
	struct tiles		*tl = NULL;
	struct checkpoint	 cp, old;
	struct fetch_resp	 resp;
	struct replay		 r;
	struct prefetch		*pf = NULL;
	struct prefetch_bundle	*bun = NULL;
	uint8_t			 root[32];
	char			*path = NULL, *text = NULL, msg[512];
	size_t			 len;
	uint64_t		 size, n, idx, first_n, chunk = 0;
	unsigned		 w;
	double			 t0 = now_s(), last = 0;
	int			 rc = LD_OK, have_old = 0, replaying = 0, v;

	memset(res, 0, sizeof(*res));
	memset(&r, 0, sizeof(r));
	memset(&resp, 0, sizeof(resp));
	res->findings_before = 0;
	if (mkdir(o->state, 0700) != 0 && errno != EEXIST) {
		snprintf(res->error, sizeof(res->error), "cannot create %s",
		    o->state);
		return LD_ESYS;
	}
	if (t == NULL) {
		if ((rc = sig_key_from_vkey(o->vkey, strlen(o->vkey),
		    &log)) != LD_OK) {
			snprintf(res->error, sizeof(res->error), "--vkey is not "
			    "a verifier key%s", rc == LD_EWEAKKEY ? " (a weak "
			    "Ed25519 key: of small order, or not a canonical "
			    "curve point)" : "");
			return LD_EINVAL;
		}
		trust_init(&kt, log, NULL, NULL, NULL);
		t = &kt;
	}
	vkey = sig_vkey(t->log);
	/* The state belongs to one log key. */
	path = xasprintf("%s/log.vkey", o->state);
	if (file_read(path, 4096, &text, &len) == LD_OK) {
		while (len > 0 && text[len - 1] == '\n')
			len--;
		if (len != strlen(vkey) || memcmp(text, vkey, len) != 0) {
			snprintf(res->error, sizeof(res->error), "%s mirrors "
			    "another log (%.*s)", o->state, (int)len, text);
			rc = LD_EINVAL;
			goto done;
		}
		free(text);
		text = NULL;
	} else {
		char *line = xasprintf("%s\n", vkey);

		file_write(path, line, strlen(line), 0644, 0);
		free(line);
	}
	free(path);
	path = NULL;
	if (fetch_open(o->url, o->cacert, 60, msg, sizeof(msg), &f) != LD_OK) {
		snprintf(res->error, sizeof(res->error), "--log %s", msg);
		rc = LD_EINVAL;
		goto done;
	}
	/* The checkpoint and the hash tiles (8 KiB at most) fit in a note. */
	fetch_set_max_body(f, NOTE_MAX);
	if ((rc = store_open(&st, o->state, o->mapsize, 0)) != LD_OK) {
		snprintf(res->error, sizeof(res->error), "%s: cannot open the "
		    "mirror: %s", o->state, ld_strerror(rc));
		goto done;
	}
	/* 1. The signed checkpoint. */
	if (o->checkpoint != NULL)
		buf_add(&resp.body, o->checkpoint, o->checkpoint_len);
	else if ((rc = fetch_get(f, "/checkpoint", NULL, &resp)) != LD_OK ||
	    resp.status != 200) {
		snprintf(res->error, sizeof(res->error), "GET /checkpoint: %s",
		    rc != LD_OK ? resp.error : "HTTP error");
		fetch_resp_free(&resp);
		rc = LD_ENET;
		goto done;
	}
	memset(&te, 0, sizeof(te));
	if ((rc = trust_open(t, (char *)resp.body.p, resp.body.len, &res->tc,
	    &te)) != LD_OK) {
		snprintf(res->error, sizeof(res->error), "the log's checkpoint:"
		    " %s", te.msg);
		fetch_resp_free(&resp);
		rc = LD_EBADSIG;
		goto done;
	}
	cp = res->tc.cp;
	size = cp.size;
	res->size = size;
	tl = tiles_new(f, size);
	/* 2. It must extend the last checkpoint verified here. */
	path = xasprintf("%s/checkpoint", o->state);
	if (file_read(path, NOTE_MAX, &text, &len) == LD_OK &&
	    checkpoint_open(text, len, t->log, &old) == LD_OK)
		have_old = 1;
	if (have_old) {
		res->old_size = old.size;
		if (old.size > size) {
			/* Older than the mirror: the mirror has the nodes to
			 * tell a stale answer from a fork. */
			rc = mirror_prefix(st, size, cp.root, &n);
			if (rc == LD_OK) {
				res->stale = 1;
				res->findings_total = n;
				snprintf(res->error, sizeof(res->error), "stale: "
				    "the log served checkpoint %llu, older than "
				    "checkpoint %llu mirrored here and consistent "
				    "with it (a lagging cache or a replay); the "
				    "mirror is unchanged",
				    (unsigned long long)size,
				    (unsigned long long)old.size);
				goto done;
			}
		} else
			rc = tiles_consistent(tl, old.size, old.root, size,
			    cp.root);
		/* Before blaming the log: the tiles must hash to the signed
		 * root, each full one to its entry in the tile above. */
		v = LD_OK;
		if (rc == LD_EBADPROOF && old.size <= size)
			v = merkle_root(tiles_node, tl, size, root) !=
			    MERKLE_OK ? LD_ENET : memcmp(root, cp.root, 32) ?
			    LD_EBADPROOF : tiles_verify(tl);
		if (v == LD_ENET) {
			snprintf(res->error, sizeof(res->error), "%s",
			    tiles_error(tl));
			rc = LD_ENET;
			goto done;
		}
		if (v == LD_EBADPROOF) {
			/* Tampered in transit, not proof of a fork. */
			snprintf(msg, sizeof(msg), "the tiles served do not "
			    "hash to the signed root of size %llu%s%s",
			    (unsigned long long)size, memcmp(root, cp.root,
			    32) ? "" : ": ", memcmp(root, cp.root, 32) ? "" :
			    tiles_error(tl));
			res->root_mismatch = 1;
			snprintf(res->error, sizeof(res->error), "%s", msg);
			goto done;
		}
		if (rc == LD_EBADPROOF) {
			char	*a = xasprintf("checkpoint-%llu-a",
			    (unsigned long long)old.size);
			char	*b = xasprintf("checkpoint-%llu-b",
			    (unsigned long long)size);

			keep_evidence(o->state, a, text, len);
			keep_evidence(o->state, b, (char *)resp.body.p,
			    resp.body.len);
			snprintf(msg, sizeof(msg), "the log forked%s: "
			    "checkpoint %llu is not consistent with checkpoint "
			    "%llu, both signed by %s; both signed notes are "
			    "kept in %s/evidence/ (%s, %s)", old.size > size ?
			    " (it shrank)" : "", (unsigned long long)size,
			    (unsigned long long)old.size, sig_key_name(t->log),
			    o->state, a, b);
			free(a);
			free(b);
			store_finding(st, "fork", NO_INDEX, NO_INDEX, msg);
			res->fork = 1;
			snprintf(res->error, sizeof(res->error), "%s", msg);
			goto done;
		}
		if (rc != LD_OK) {
			snprintf(res->error, sizeof(res->error), "%s",
			    tiles_error(tl));
			goto done;
		}
	}
	/* 3. Download new entries through the entry bundles and replay. */
	if ((rc = store_begin(st, 0, &txn)) != LD_OK ||
	    (rc = replay_load(&r, txn, sig_key_name(t->log))) != LD_OK) {
		snprintf(res->error, sizeof(res->error), "cannot read the "
		    "mirror: %s", ld_strerror(rc));
		goto done;
	}
	replaying = 1;
	r.now = o->now;
	res->findings_before = r.findings_total;
	idx = r.rules.head.size;
	res->start = idx;
	if (idx > size) {
		snprintf(res->error, sizeof(res->error), "the mirror holds %llu"
		    " entries, more than the log's %llu", (unsigned long long)
		    idx, (unsigned long long)size);
		rc = LD_EBADPROOF;
		goto done;
	}
	/* The mirror's tree must also be a prefix of the signed one. */
	merkle_tree_root(&r.tree, root);
	if (idx > 0 && (rc = tiles_consistent(tl, idx, root, size,
	    cp.root)) != LD_OK) {
		snprintf(msg, sizeof(msg), "the mirror's %llu entries are not "
		    "a prefix of the signed tree of size %llu",
		    (unsigned long long)idx, (unsigned long long)size);
		if (rc == LD_EBADPROOF)
			res->fork = 1;
		snprintf(res->error, sizeof(res->error), "%s", msg);
		goto done;
	}
	first_n = idx / MERKLE_TILE_WIDTH;
	if (idx < size && (rc = prefetch_start(o->url, o->cacert, st, first_n,
	    size, &pf)) != LD_OK) {
		snprintf(res->error, sizeof(res->error), "cannot start "
		    "fetching: %s", ld_strerror(rc));
		goto done;
	}
	for (n = first_n; idx < size; n++) {
		prefetch_bundle_free(bun);
		if ((bun = prefetch_next(pf)) == NULL || bun->n != n ||
		    (bun->rc != LD_OK && bun->rc != LD_EBADPROOF)) {
			snprintf(res->error, sizeof(res->error), "%s", bun &&
			    bun->n == n ? bun->err : "the download stopped");
			rc = LD_ENET;
			goto done;
		}
		w = bun->w;
		rc = LD_OK;
		store_txn_hints(txn, bun->hints);
		for (size_t e = 0; e < bun->nent && rc == LD_OK; e++) {
			uint64_t	k = n * MERKLE_TILE_WIDTH + e;
			struct prefetch_ent	*pe = &bun->ent[e];

			if (k >= idx)
				rc = replay_leaf(&r, k, pe->p, pe->len,
				    pe->hash, pe->decoded ? &pe->leaf : NULL);
		}
		store_txn_hints(txn, NULL);
		if (rc == LD_OK)
			rc = bun->rc;
		if (rc != LD_OK && rc != LD_EBADPROOF)
			goto done;
		idx = n * MERKLE_TILE_WIDTH + w;
		chunk++;
		/* 4. Verify against the signed tree, then commit. */
		if (rc == LD_EBADPROOF || chunk == CHUNK_BUNDLES ||
		    idx == size) {
			merkle_tree_root(&r.tree, root);
			if (rc == LD_OK)
				rc = idx == size ? (memcmp(root, cp.root, 32) ?
				    LD_EBADPROOF : LD_OK) : tiles_consistent(tl,
				    idx, root, size, cp.root);
			if (rc == LD_EBADPROOF) {
				if (bun->rc == LD_EBADPROOF)
					snprintf(msg, sizeof(msg), "entry "
					    "bundle %s is malformed (bad "
					    "framing or trailing bytes); the "
					    "mirror keeps the %llu entries it "
					    "proved against a signed root "
					    "before", bun->path,
					    (unsigned long long)res->start);
				else
					snprintf(msg, sizeof(msg), "the "
					    "entries served up to %llu do not "
					    "hash to the signed tree of size "
					    "%llu (tampered tiles or bundles);"
					    " the mirror keeps the %llu entries "
					    "it proved against a signed root "
					    "before", (unsigned long long)idx,
					    (unsigned long long)size,
					    (unsigned long long)res->start);
				store_abort(txn);
				txn = NULL;
				res->root_mismatch = 1;
				snprintf(res->error, sizeof(res->error), "%s",
				    msg);
				goto done;
			}
			if (rc != LD_OK) {
				snprintf(res->error, sizeof(res->error), "%s",
				    tiles_error(tl));
				goto done;
			}
			if (idx == size)
				replay_finish(&r);
			if ((rc = replay_save(&r)) != LD_OK ||
			    (rc = store_commit(txn)) != LD_OK) {
				txn = NULL;
				snprintf(res->error, sizeof(res->error),
				    "cannot write the mirror: %s",
				    ld_strerror(rc));
				goto done;
			}
			res->start = idx;
			res->findings_new += r.findings;
			r.findings_total += r.findings;
			r.findings = 0;
			chunk = 0;
			if ((rc = store_begin(st, 0, &txn)) != LD_OK)
				goto done;
			r.txn = txn;
			r.rules.arg = txn;
		}
		if (o->progress && now_s() - last > 0.25) {
			last = now_s();
			fprintf(stderr, "\r%llu / %llu entries  %.0f/s   ",
			    (unsigned long long)idx, (unsigned long long)size,
			    (double)(idx - res->old_size) / (last - t0 + 1e-9));
		}
	}
	if (o->progress)
		fputc('\n', stderr);
	/* 5. Everything verified: this is the checkpoint we hold now. */
	if (file_write(path, resp.body.p, resp.body.len, 0644, 0) != LD_OK) {
		snprintf(res->error, sizeof(res->error), "cannot save %s",
		    path);
		rc = LD_ESYS;
		goto done;
	}
	res->entries = size - (have_old ? old.size : 0);
	res->findings_total = r.findings_total;
	rc = LD_OK;
done:
	if (replaying)
		replay_free(&r);
	store_abort(txn);
	prefetch_stop(pf);
	prefetch_bundle_free(bun);
	tiles_free(tl);
	fetch_resp_free(&resp);
	store_close(st);	/* writes out the deferred indexes: timed */
	res->seconds = now_s() - t0;
	fetch_close(f);
	sig_key_free(log);
	free(vkey);
	free(text);
	free(path);
	return rc;
}
