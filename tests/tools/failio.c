/* failio.c - an LD_PRELOAD shim: I/O errors and stalls on one file, tees. */
/*
 *	LD_PRELOAD=build/tests/failio.so FAILIO_CTL=DIR ledgerd serve ...
 *	LD_PRELOAD=build/tests/failio.so FAILIO_TEE=FILE ledger submit ...
 *
 * With FAILIO_CTL, the calls on a descriptor whose path ends in
 * FAILIO_FILE (default "/data.mdb", LMDB's data file) are controlled by
 * files in DIR, checked at every call, so a test turns faults on and off
 * while the process runs:
 *
 *	DIR/eio		while it exists, write, pwrite, pwrite64, writev,
 *			fsync and fdatasync fail with EIO, and DIR/hit is
 *			created; if it holds names ("fdatasync"), only those
 *			calls fail; "meta" names the writes through an O_DSYNC
 *			descriptor (LMDB writes only its meta page, the commit
 *			point, that way)
 *	DIR/stall	while it exists, fsync and fdatasync wait; DIR/stalled
 *			is created when one starts waiting
 *
 * With FAILIO_TEE, every byte written to a socket is also appended to
 * FILE, so a test can replay a client's exact request with curl.
 * Without either variable the shim only passes calls on. A test tool for
 * tests/e2e/faults.sh. The real functions are looked up on first use
 * (a race there only stores the same pointer twice).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#define REAL(name)	static __typeof__(name) *real_##name;		\
	if (real_##name == NULL)					\
		real_##name = (__typeof__(name) *)dlsym(RTLD_NEXT, #name)

static void
touch(const char *dir, const char *name)
{
	char	path[4096];
	int	fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644)) >= 0)
		close(fd);
}

/*
 * Whether fd is the controlled file and DIR/name exists; with call, also
 * that DIR/name is empty or names call (then DIR/hit is created).
 */
static int
armed(int fd, const char *name, const char *call)
{
	const char	*dir = getenv("FAILIO_CTL"), *file;
	char		 path[4096], link[4096], want[256], word[64];
	ssize_t		 n;
	size_t		 flen;
	int		 cfd;

	if (dir == NULL)
		return 0;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (access(path, F_OK) != 0)
		return 0;
	if ((file = getenv("FAILIO_FILE")) == NULL)
		file = "/data.mdb";
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	if ((n = readlink(link, path, sizeof(path) - 1)) < 0)
		return 0;
	path[n] = '\0';
	flen = strlen(file);
	if ((size_t)n < flen || strcmp(path + n - flen, file) != 0)
		return 0;
	if (call == NULL)
		return 1;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	/* The file's words, space-separated between two spaces. */
	want[0] = ' ';
	n = 0;
	if ((cfd = open(path, O_RDONLY | O_CLOEXEC)) >= 0) {
		n = read(cfd, want + 1, sizeof(want) - 3);
		close(cfd);
	}
	n = n > 0 ? n : 0;
	want[n + 1] = ' ';
	want[n + 2] = '\0';
	for (flen = 0; want[flen] != '\0'; flen++)
		if (want[flen] == '\n' || want[flen] == '\t')
			want[flen] = ' ';
	snprintf(word, sizeof(word), " %s ", call);
	if (strspn(want, " ") != strlen(want) && strstr(want, word) == NULL &&
	    (strstr(want, " meta ") == NULL || strstr(call, "sync") != NULL ||
	    (fcntl(fd, F_GETFL) & O_DSYNC) != O_DSYNC))
		return 0;
	touch(dir, "hit");
	return 1;
}

static void
stall(int fd)
{
	const char	*dir = getenv("FAILIO_CTL");

	if (!armed(fd, "stall", NULL))
		return;
	touch(dir, "stalled");
	while (armed(fd, "stall", NULL))
		usleep(10000);
}

static void
copy_out(int fd, const struct iovec *iov, int n, ssize_t done)
{
	const char	*file = getenv("FAILIO_TEE");
	struct stat	 st;
	int		 i, out;

	if (file == NULL || done <= 0 || fstat(fd, &st) != 0 ||
	    !S_ISSOCK(st.st_mode))
		return;
	if ((out = open(file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
	    0644)) < 0)
		return;
	for (i = 0; i < n && done > 0; i++) {
		size_t len = iov[i].iov_len < (size_t)done ?
		    iov[i].iov_len : (size_t)done;

		if (write(out, iov[i].iov_base, len) < 0)
			break;
		done -= (ssize_t)len;
	}
	close(out);
}

#define FAIL(call)	do {						\
	if (armed(fd, "eio", call)) {					\
		errno = EIO;						\
		return -1;						\
	}								\
} while (0)

ssize_t
write(int fd, const void *p, size_t len)
{
	struct iovec	iov = { (void *)p, len };
	ssize_t		r;

	REAL(write);
	FAIL("write");
	r = real_write(fd, p, len);
	copy_out(fd, &iov, 1, r);
	return r;
}

ssize_t
writev(int fd, const struct iovec *iov, int n)
{
	ssize_t	r;

	REAL(writev);
	FAIL("writev");
	r = real_writev(fd, iov, n);
	copy_out(fd, iov, n, r);
	return r;
}

ssize_t
send(int fd, const void *p, size_t len, int flags)
{
	struct iovec	iov = { (void *)p, len };
	ssize_t		r;

	REAL(send);
	r = real_send(fd, p, len, flags);
	copy_out(fd, &iov, 1, r);
	return r;
}

ssize_t
pwrite(int fd, const void *p, size_t len, off_t off)
{
	REAL(pwrite);
	FAIL("pwrite");
	return real_pwrite(fd, p, len, off);
}

ssize_t
pwrite64(int fd, const void *p, size_t len, off64_t off)
{
	REAL(pwrite64);
	FAIL("pwrite");
	return real_pwrite64(fd, p, len, off);
}

int
fsync(int fd)
{
	REAL(fsync);
	stall(fd);
	FAIL("fsync");
	return real_fsync(fd);
}

int
fdatasync(int fd)
{
	REAL(fdatasync);
	stall(fd);
	FAIL("fdatasync");
	return real_fdatasync(fd);
}
