/* file.c - whole files: read, write atomically, check their mode. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "err.h"
#include "file.h"
#include "wipe.h"
#include "xmalloc.h"

int
file_read(const char *path, size_t max, char **out, size_t *len)
{
	struct buf	b = { 0 };
	char		tmp[65536];
	ssize_t		n;
	int		fd, rc = LD_OK;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return errno == ENOENT ? LD_ENOTFOUND : LD_ESYS;
	for (;;) {
		n = read(fd, tmp, sizeof(tmp));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			rc = LD_ESYS;
			break;
		}
		if (n == 0)
			break;
		if (b.len + (size_t)n > max) {
			rc = LD_ETOOBIG;
			break;
		}
		buf_add(&b, tmp, (size_t)n);
	}
	close(fd);
	wipe_secure(tmp, sizeof(tmp));
	if (rc != LD_OK) {
		if (b.p)
			wipe_secure(b.p, b.cap);
		buf_free(&b);
		return rc;
	}
	buf_cstr(&b);
	*out = (char *)b.p;
	if (len)
		*len = b.len;
	return LD_OK;
}

int
file_write(const char *path, const void *p, size_t len, mode_t mode, int excl)
{
	char		*tmp, *dir, *slash;
	const uint8_t	*q = p;
	size_t		 off = 0;
	ssize_t		 n;
	int		 fd, dfd, rc = LD_ESYS;

	if (excl && access(path, F_OK) == 0)
		return LD_EEXIST;
	tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0)
		goto done;
	if (fchmod(fd, mode) != 0)
		goto fail;
	while (off < len) {
		n = write(fd, q + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			goto fail;
		off += (size_t)n;
	}
	if (fsync(fd) != 0)
		goto fail;
	close(fd);
	fd = -1;
	if (rename(tmp, path) != 0)
		goto fail;
	dir = xstrdup(path);
	slash = strrchr(dir, '/');
	if (slash == NULL)
		strcpy(dir, ".");
	else if (slash == dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		(void)fsync(dfd);
		close(dfd);
	}
	free(dir);
	rc = LD_OK;
	goto done;
fail:
	if (errno == ENOSPC || errno == EDQUOT)
		rc = LD_EFULL;
	if (fd >= 0)
		close(fd);
	unlink(tmp);
done:
	free(tmp);
	return rc;
}

int
file_mode_too_open(const char *path, mode_t *mode)
{
	struct stat	st;

	if (stat(path, &st) != 0)
		return 0;
	if (mode)
		*mode = st.st_mode & 07777;
	return (st.st_mode & 077) != 0;
}
