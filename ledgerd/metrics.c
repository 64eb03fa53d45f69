/* metrics.c - the server's counters and the /metrics text. */
#include <stdatomic.h>
#include <stdio.h>
#include <time.h>

#include "buf.h"
#include "cp.h"
#include "entry.h"
#include "err.h"
#include "metrics.h"
#include "store.h"

void
metrics_commit(struct ledgerd *ld, uint64_t us, uint64_t leaves,
    const uint64_t appended[KIND_MAX + 1])
{
	unsigned	bucket, k;

	bucket = us ? 64 - (unsigned)__builtin_clzll(us) : 0;
	atomic_fetch_add(&ld->m_commit_us_hist[bucket < 24 ? bucket : 24], 1);
	atomic_fetch_add(&ld->m_commit_us_sum, us);
	atomic_fetch_add(&ld->m_commits, 1);
	for (k = 1; k <= KIND_MAX; k++)
		atomic_fetch_add(&ld->m_appended[k], appended[k]);
	atomic_fetch_add(&ld->m_commit_entries, leaves);
	bucket = leaves ? 64 - (unsigned)__builtin_clzll(leaves) : 0;
	atomic_fetch_add(&ld->m_commit_size_hist[bucket < 16 ? bucket : 16], 1);
}

static void
metric_table(void *arg, const char *table, uint64_t bytes)
{
	buf_printf(arg, "ledger_store_table_bytes{table=\"%s\"} %llu\n",
	    table, (unsigned long long)bytes);
}

void
metrics_render(struct ledgerd *ld, const struct cp *cp, size_t queued,
    struct buf *out)
{
	struct buf	b = { 0 };
	uint64_t	bytes = 0, cum = 0, sum;
	int		k;

	buf_printf(&b, "# HELP ledger_tree_size Leaves in the latest "
	    "checkpoint.\n# TYPE ledger_tree_size gauge\nledger_tree_size "
	    "%llu\n", (unsigned long long)cp->size);
	buf_printf(&b, "# HELP ledger_checkpoint_age_seconds Age of the "
	    "latest checkpoint.\n# TYPE ledger_checkpoint_age_seconds gauge\n"
	    "ledger_checkpoint_age_seconds %lld\n",
	    (long long)(time(NULL) - (time_t)cp->time));
	buf_printf(&b, "# HELP ledger_appended_total Leaves appended since "
	    "start, by kind.\n# TYPE ledger_appended_total counter\n");
	for (k = 1; k <= KIND_MAX; k++)
		buf_printf(&b, "ledger_appended_total{kind=\"%s\"} %llu\n",
		    entry_kind_name(k), (unsigned long long)atomic_load(
		    &ld->m_appended[k]));
	buf_printf(&b, "# HELP ledger_commits_total Group commits.\n"
	    "# TYPE ledger_commits_total counter\nledger_commits_total %llu\n",
	    (unsigned long long)atomic_load(&ld->m_commits));
	buf_printf(&b, "# HELP ledger_commit_entries_total Leaves in group "
	    "commits.\n# TYPE ledger_commit_entries_total counter\n"
	    "ledger_commit_entries_total %llu\n",
	    (unsigned long long)atomic_load(&ld->m_commit_entries));
	buf_printf(&b, "# HELP ledger_commit_seconds Group commit latency.\n"
	    "# TYPE ledger_commit_seconds histogram\n");
	for (k = 0; k < 24; k++) {
		cum += atomic_load(&ld->m_commit_us_hist[k]);
		buf_printf(&b, "ledger_commit_seconds_bucket{le=\"%g\"} %llu\n",
		    (double)(1ULL << k) / 1e6, (unsigned long long)cum);
	}
	cum += atomic_load(&ld->m_commit_us_hist[24]);
	sum = atomic_load(&ld->m_commit_us_sum);
	buf_printf(&b, "ledger_commit_seconds_bucket{le=\"+Inf\"} %llu\n"
	    "ledger_commit_seconds_count %llu\n"
	    "ledger_commit_seconds_sum %llu.%06llu\n", (unsigned long long)cum,
	    (unsigned long long)cum, (unsigned long long)(sum / 1000000),
	    (unsigned long long)(sum % 1000000));
	buf_printf(&b, "# HELP ledger_commit_leaves Leaves per group commit.\n"
	    "# TYPE ledger_commit_leaves histogram\n");
	for (k = 0, cum = 0; k < 16; k++) {
		cum += atomic_load(&ld->m_commit_size_hist[k]);
		buf_printf(&b, "ledger_commit_leaves_bucket{le=\"%llu\"} %llu\n",
		    (unsigned long long)((1ULL << k) - 1), (unsigned long long)cum);
	}
	cum += atomic_load(&ld->m_commit_size_hist[16]);
	buf_printf(&b, "ledger_commit_leaves_bucket{le=\"+Inf\"} %llu\n"
	    "ledger_commit_leaves_count %llu\nledger_commit_leaves_sum %llu\n",
	    (unsigned long long)cum, (unsigned long long)cum,
	    (unsigned long long)atomic_load(&ld->m_commit_entries));
	buf_printf(&b, "# HELP ledger_submit_rejected_total Submissions "
	    "refused by a rule or check.\n# TYPE ledger_submit_rejected_total "
	    "counter\nledger_submit_rejected_total %llu\n",
	    (unsigned long long)atomic_load(&ld->m_submit_rejects));
	buf_printf(&b, "# HELP ledger_queue_entries Entries waiting for the "
	    "sequencer.\n# TYPE ledger_queue_entries gauge\n"
	    "ledger_queue_entries %zu\n", queued);
	buf_printf(&b, "# HELP ledger_store_deferred_entries Index entries "
	    "kept in memory and in the redo log, not yet in their B-trees.\n"
	    "# TYPE ledger_store_deferred_entries gauge\n"
	    "ledger_store_deferred_entries %zu\n", store_deferred(ld->store));
	if (store_stat(ld->store, &bytes) == LD_OK)
		buf_printf(&b, "# HELP ledger_store_bytes LMDB pages in use.\n"
		    "# TYPE ledger_store_bytes gauge\nledger_store_bytes "
		    "%llu\n", (unsigned long long)bytes);
	buf_printf(&b, "# HELP ledger_store_table_bytes The pages of each LMDB "
	    "table, and the free pages the file holds for reuse.\n"
	    "# TYPE ledger_store_table_bytes gauge\n");
	store_tables(ld->store, metric_table, &b);
	buf_add(out, b.p, b.len);
	buf_free(&b);
}

