/* export.c - write the read path as static files for nginx, a CDN, a bucket. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "cp.h"
#include "err.h"
#include "export.h"
#include "file.h"
#include "log.h"
#include "merkle.h"
#include "store.h"
#include "u64.h"
#include "xmalloc.h"

/* mkdir -p the parent directories of path (relative to outdir). */
static int
mkparents(char *path)
{
	char	*s;

	for (s = strchr(path + 1, '/'); s != NULL; s = strchr(s + 1, '/')) {
		*s = '\0';
		if (mkdir(path, 0755) != 0 && errno != EEXIST) {
			*s = '/';
			return LD_ESYS;
		}
		*s = '/';
	}
	return LD_OK;
}

/* Write a file without fsync (the caller syncs once); rename into place. */
static int
put_file(const char *path, const void *p, size_t len)
{
	char	*tmp = xasprintf("%s.tmp", path), *dir = xstrdup(path);
	int	 fd, rc = LD_ESYS;

	if (mkparents(dir) != LD_OK)
		goto done;
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0)
		goto done;
	if (write(fd, p, len) == (ssize_t)len && close(fd) == 0 &&
	    rename(tmp, path) == 0)
		rc = LD_OK;
	else {
		if (errno == ENOSPC)
			rc = LD_EFULL;
		unlink(tmp);
	}
done:
	free(tmp);
	free(dir);
	return rc;
}

/* Remove dir/N.p/ (every older width of a tile that is now full). */
static void
remove_partials(const char *path)
{
	char		*pdir = xasprintf("%s.p", path), *f;
	DIR		*d;
	struct dirent	*e;

	if ((d = opendir(pdir)) != NULL) {
		while ((e = readdir(d)) != NULL) {
			if (e->d_name[0] == '.')
				continue;
			f = xasprintf("%s/%s", pdir, e->d_name);
			unlink(f);
			free(f);
		}
		closedir(d);
		rmdir(pdir);
	}
	free(pdir);
}

/* Append one entry to a bundle: 2-byte big-endian length, bytes. */
static int
add_bundled(void *arg, uint64_t index, const uint8_t *p, size_t len)
{
	uint8_t	lp[2] = { (uint8_t)(len >> 8), (uint8_t)len };

	(void)index;
	buf_add(arg, lp, 2);
	buf_add(arg, p, len);
	return 0;
}

int
export_tile_bytes(struct store_txn *t, const struct merkle_tile *tile, struct buf *b)
{
	uint64_t	first = tile->index * MERKLE_TILE_WIDTH, i;
	uint8_t		h[32];
	int		rc = LD_OK;

	if (tile->level == MERKLE_TILE_ENTRIES)
		return store_leaves(t, first, tile->width, add_bundled, b);
	if (tile->level == 0) {
		buf_reserve(b, (size_t)tile->width * 32);
		if ((rc = store_leaf_hashes(t, first, tile->width,
		    (uint8_t (*)[32])(b->p + b->len))) == LD_OK)
			b->len += (size_t)tile->width * 32;
		return rc;
	}
	for (i = 0; i < tile->width && rc == LD_OK; i++)
		if ((rc = store_node_get(t, 8 * (unsigned)tile->level,
		    first + i, h)) == LD_OK)
			buf_add(b, h, 32);
	return rc;
}

/* Write one tile (hashes or entries) of width w. */
static int
write_tile(struct store_txn *t, const char *outdir, int level, uint64_t n,
    unsigned w)
{
	struct merkle_tile	 tile = { level, n, w };
	struct buf		 b = { 0 };
	char			 rel[MERKLE_TILE_PATH_MAX], *path;
	int			 rc;

	if (merkle_tile_path(&tile, rel, sizeof(rel)) != MERKLE_OK)
		return LD_EINVAL;
	rc = export_tile_bytes(t, &tile, &b);
	path = xasprintf("%s/%s", outdir, rel);
	if (rc == LD_OK)
		rc = put_file(path, b.p, b.len);
	if (rc == LD_OK && w == MERKLE_TILE_WIDTH)
		remove_partials(path);
	free(path);
	buf_free(&b);
	return rc;
}

/* The size in outdir/checkpoint, or 0. */
static uint64_t
exported_size(const char *outdir)
{
	char		*path = xasprintf("%s/checkpoint", outdir), *s, *nl;
	size_t		 len;
	uint64_t	 v = 0;

	if (file_read(path, 65536, &s, &len) == LD_OK) {
		nl = strchr(s, '\n');
		if (nl != NULL && (nl = strchr(nl + 1, '\n')) != NULL) {
			char *start = strchr(s, '\n') + 1;

			if (u64_parse(start, (size_t)(nl - start), &v) != LD_OK)
				v = 0;
		}
		free(s);
	}
	free(path);
	return v;
}

int
export_tree(struct store *st, const struct cp *cp, const char *outdir,
    uint64_t *exported)
{
	struct store_txn	*t;
	uint64_t		 full, old_full, n, size = cp->size;
	unsigned		 partial, old_partial, levels, l;
	char			*path;
	int			 level, rc = LD_OK, fd;

	if (mkdir(outdir, 0755) != 0 && errno != EEXIST)
		return LD_ESYS;
	if (*exported == 0)
		*exported = exported_size(outdir);
	if (*exported > size)
		*exported = 0;		/* another log was there: redo */
	if (*exported == size && size > 0)
		return LD_OK;
	if ((rc = store_begin(st, 1, &t)) != LD_OK)
		return rc;
	levels = merkle_tile_levels(size);
	/* Level -1 (entry bundles) has the same shape as level 0. */
	for (level = MERKLE_TILE_ENTRIES; rc == LD_OK &&
	    level < (int)levels; level++) {
		l = level < 0 ? 0 : (unsigned)level;
		merkle_tile_count(size, l, &full, &partial);
		merkle_tile_count(*exported, l, &old_full, &old_partial);
		for (n = old_full; rc == LD_OK && n < full; n++)
			rc = write_tile(t, outdir, level, n, MERKLE_TILE_WIDTH);
		if (rc == LD_OK && partial > 0 &&
		    (full != old_full || partial != old_partial))
			rc = write_tile(t, outdir, level, full, partial);
	}
	store_abort(t);
	if (rc != LD_OK)
		return rc;
	/* Tiles durable before the checkpoint that names them. */
	if ((fd = open(outdir, O_RDONLY | O_DIRECTORY)) >= 0) {
		syncfs(fd);
		close(fd);
	}
	path = xasprintf("%s/checkpoint", outdir);
	rc = file_write(path, cp->text, cp->len, 0644, 0);
	free(path);
	if (rc == LD_OK)
		*exported = size;
	return rc;
}
