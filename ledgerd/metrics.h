/* metrics.h - the server's counters and the /metrics text. */
/*
 * The counters live in struct ledgerd (atomics: the sequencer adds, the
 * event loop reads). The HTTP layer's own counters are appended by the
 * /metrics handler (httpd_metrics).
 */
#ifndef METRICS_H
#define METRICS_H

#include <stdint.h>

#include "buf.h"
#include "ledgerd.h"

/* One group commit: its latency, leaves, and leaves by kind. */
void	metrics_commit(struct ledgerd *, uint64_t us, uint64_t leaves,
	    const uint64_t appended[KIND_MAX + 1]);
/* Append the store's, the tree's and the writer's metrics to out;
 * queued: the entries waiting for the sequencer (seq_queued). */
void	metrics_render(struct ledgerd *, const struct cp *, size_t queued,
	    struct buf *out);

#endif /* METRICS_H */
