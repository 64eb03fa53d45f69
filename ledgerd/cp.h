/* cp.h - the current signed checkpoint, shared between threads. */
#ifndef CP_H
#define CP_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

struct ledgerd;

/* The latest signed checkpoint; readers take a reference under cp_mu. */
struct cp {
	_Atomic int	 refs;
	uint64_t	 size;
	uint8_t		 root[32];
	uint64_t	 time;		/* when it was signed, UTC seconds */
	size_t		 len;
	char		 text[];	/* the signed note */
};

/* The current checkpoint with a reference held; cp_put releases it. */
struct cp	*cp_get(struct ledgerd *);
void		 cp_put(struct cp *);
/* Another reference to cp (held by the caller): cp, for cp_put. */
struct cp	*cp_ref(struct cp *);
/* Replace the current checkpoint (the sequencer, after each commit). */
void		 cp_set(struct ledgerd *, struct cp *);
/* A new checkpoint (one reference) of cp's size, root and time whose
 * note is text (len bytes, copied): cp with cosignatures appended. */
struct cp	*cp_with_text(const struct cp *cp, const char *text,
		    size_t len);
/* Sign a checkpoint for (size, root) with the log key. */
struct cp	*cp_sign(struct ledgerd *, uint64_t size,
		    const uint8_t root[32]);

#endif /* CP_H */
