/* report.h - what the mirror holds: totals, findings, the checkpoint. */
#ifndef REPORT_H
#define REPORT_H

#include "buf.h"
#include "json.h"
#include "store.h"

/* The report as a JSON value (read from an open state directory). */
struct json	*report_build(struct store_txn *, const char *state);
/* Render it: plain text, Markdown, or one self-contained HTML page with
 * inline SVG charts. */
void		 report_text(const struct json *, struct buf *);
void		 report_md(const struct json *, struct buf *);
void		 report_html(const struct json *, struct buf *);

#endif /* REPORT_H */
