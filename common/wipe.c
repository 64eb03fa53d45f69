/* wipe.c - wiping memory that held a secret. */
#include <string.h>

#include "wipe.h"

void
wipe_secure(void *p, size_t n)
{
	explicit_bzero(p, n);
}
