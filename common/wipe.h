/* wipe.h - wiping memory that held a secret. */
/*
 * Contract: no state, any thread.
 */
#ifndef WIPE_H
#define WIPE_H

#include <stddef.h>

/* Wipe memory that held a secret (explicit_bzero: not optimised away). */
void	wipe_secure(void *, size_t);

#endif /* WIPE_H */
