/* file.h - whole files: read, write atomically, check their mode. */
/*
 * Contract: no global state, any thread on its own arguments. Memory
 * returned is the caller's (free()). Error codes are those of err.h.
 */
#ifndef FILE_H
#define FILE_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Read a whole file (at most max bytes) into a new NUL-terminated buffer:
 * *out is the caller's (free()), *len (if len is not NULL) its length
 * without the NUL. LD_ENOTFOUND if path does not exist, LD_ETOOBIG over
 * max, LD_ESYS for any other open or read error (not logged; errno may
 * be stale). On failure nothing is allocated and the bytes read so far
 * are wiped (files may hold secret keys).
 */
int	file_read(const char *path, size_t max, char **out, size_t *len);
/*
 * Write a file atomically (PATH.tmp.PID, fsync, rename, fsync dir) with
 * the given mode. LD_EEXIST if excl and the file exists (checked before
 * writing, not atomically), LD_EFULL on ENOSPC or EDQUOT, LD_ESYS on any
 * other failure (not logged). On failure path is unchanged and the temp
 * file removed. Not for two writers of one path at once.
 */
int	file_write(const char *path, const void *p, size_t len, mode_t mode,
	    int excl);
/* 1 if path's mode gives group or others any permission (*mode, if not
 * NULL, gets the permission bits), else 0, also when stat fails. */
int	file_mode_too_open(const char *path, mode_t *mode);

#endif /* FILE_H */
