/* read.h - the read path: tiles, proofs, entries, lookups, totals. */
#ifndef READ_H
#define READ_H

#include "ledgerd.h"

struct http_req;

/* Handle a GET if path is a read-path route; 0 if it is not one. */
int	read_handle(struct ledgerd *, struct http_req *, const char *path);

#endif /* READ_H */
