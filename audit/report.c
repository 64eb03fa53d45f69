/* report.c - what the mirror holds: totals, findings, the checkpoint. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "checkpoint.h"
#include "err.h"
#include "file.h"
#include "hex.h"
#include "note.h"
#include "report.h"
#include "rules_store.h"
#include "u64.h"
#include "xmalloc.h"

struct collect {
	struct json	*arr;
};

static int
collect_agg(void *arg, const char *key, size_t klen, const uint8_t *v,
    size_t vlen)
{
	struct collect	*c = arg;
	struct json	*o;
	uint64_t	 x[4];
	size_t		 i;
	const char	*name = key + 8;	/* after the 8-byte "agg/iss/"-style prefix */

	if (vlen != sizeof(x) || klen < 8)
		return 0;
	for (i = 0; i < 4; i++)
		x[i] = u64_le_get(v + 8 * i);
	o = json_obj();
	json_set(o, "name", json_strn(name, klen - 8));
	json_set(o, "credited_grams", json_u64(x[0]));
	json_set(o, "retired_grams", json_u64(x[1]));
	json_set(o, "reversed_grams", json_u64(x[2]));
	json_set(o, "entries", json_u64(x[3]));
	json_push(c->arr, o);
	return 0;
}

static int
collect_finding(void *arg, const char *key, size_t klen, const uint8_t *v,
    size_t vlen)
{
	struct collect	*c = arg;
	struct json	*o;

	(void)key;
	(void)klen;
	if (json_parse((const char *)v, vlen, &o, NULL, 0) == LD_OK)
		json_push(c->arr, o);
	return 0;
}

static struct json *
aggs(struct store_txn *t, const char *prefix)
{
	struct collect	c = { json_arr() };

	store_meta_each(t, prefix, collect_agg, &c);
	return c.arr;
}

struct json *
report_build(struct store_txn *t, const char *state)
{
	struct collect	 c = { json_arr() };
	struct json	*o = json_obj(), *cp = json_obj();
	struct checkpoint ck;
	struct rules_head head;
	const uint8_t	*p;
	char		*path, *text = NULL, root[65];
	size_t		 len;
	uint64_t	 accounts = 0;
	struct note	 n;

	path = xasprintf("%s/checkpoint", state);
	if (file_read(path, NOTE_MAX, &text, &len) == LD_OK &&
	    note_parse(text, len, &n) == LD_OK) {
		/* Never shown as signed data: one with extension lines
		 * (sync refuses those, so it is not a verified one). */
		if (checkpoint_parse(n.text, n.text_len, &ck) == LD_OK &&
		    ck.nextensions == 0) {
			hex_encode(root, ck.root, 32);
			json_set(cp, "origin", json_str(ck.origin));
			json_set(cp, "size", json_u64(ck.size));
			json_set(cp, "root", json_str(root));
			json_set(cp, "note", json_strn(text, len));
		}
		note_free(&n);
	}
	free(text);
	free(path);
	json_set(o, "checkpoint", cp);
	if (rules_store_head_get(t, &head) != LD_OK)
		memset(&head, 0, sizeof(head));
	json_set(o, "entries", json_u64(head.size));
	if (store_meta_get(t, "audit/accounts", &p, &len) == LD_OK && len == 8)
		accounts = u64_le_get(p);
	json_set(o, "accounts", json_u64(accounts));
	json_set(o, "by_issuer", aggs(t, "agg/iss/"));
	json_set(o, "by_method", aggs(t, "agg/mth/"));
	json_set(o, "by_activity", aggs(t, "agg/act/"));
	json_set(o, "by_month", aggs(t, "agg/mon/"));
	store_meta_each(t, "finding/", collect_finding, &c);
	json_set(o, "findings", c.arr);
	return o;
}

static uint64_t
u(const struct json *o, const char *k)
{
	uint64_t	v = 0;

	json_get_u64(json_get(o, k), &v);
	return v;
}

static const char *
s(const struct json *o, const char *k)
{
	const char	*v = "";
	size_t		 len;

	if (json_get_str(json_get(o, k), &v, &len) != LD_OK)
		return "";
	return v;
}

static void
table_text(struct buf *b, const struct json *o, const char *k,
    const char *title)
{
	const struct json	*a = json_get(o, k), *e;
	size_t		 i;

	buf_printf(b, "\n%s\n%-32s %16s %16s %16s %10s\n", title, "",
	    "credited g", "retired g", "reversed g", "entries");
	for (i = 0; i < json_len(a); i++) {
		e = json_at(a, i);
		buf_printf(b, "%-32s %16llu %16llu %16llu %10llu\n", s(e, "name"),
		    (unsigned long long)u(e, "credited_grams"),
		    (unsigned long long)u(e, "retired_grams"),
		    (unsigned long long)u(e, "reversed_grams"),
		    (unsigned long long)u(e, "entries"));
	}
}

void
report_text(const struct json *o, struct buf *b)
{
	const struct json	*cp = json_get(o, "checkpoint"),
	    *fs = json_get(o,
			    "findings"), *f;
	size_t		 i;

	buf_printf(b, "ledger-audit report for %s at size %llu (root %s)\n",
	    s(cp, "origin"), (unsigned long long)u(cp, "size"), s(cp, "root"));
	buf_printf(b, "entries replayed: %llu; accounts: %llu; findings: %zu\n",
	    (unsigned long long)u(o, "entries"),
	    (unsigned long long)u(o, "accounts"), json_len(fs));
	table_text(b, o, "by_issuer", "Totals by issuer");
	table_text(b, o, "by_method", "Totals by method");
	table_text(b, o, "by_activity", "Totals by activity");
	table_text(b, o, "by_month", "Totals by month of the event");
	buf_printf(b, "\nFindings\n");
	if (json_len(fs) == 0)
		buf_printf(b, "none: every rule holds and every total adds up\n");
	for (i = 0; i < json_len(fs); i++) {
		uint64_t idx;

		f = json_at(fs, i);
		if (json_get_u64(json_get(f, "index"), &idx) == LD_OK)
			buf_printf(b, "%-18s entry %llu: %s\n", s(f, "code"),
			    (unsigned long long)idx, s(f, "message"));
		else
			buf_printf(b, "%-18s %s\n", s(f, "code"),
			    s(f, "message"));
	}
}

static void
table_md(struct buf *b, const struct json *o, const char *k, const char *title)
{
	const struct json	*a = json_get(o, k), *e;
	size_t		 i;

	buf_printf(b, "\n## %s\n\n| %s | credited g | retired g | reversed g "
	    "| entries |\n|---|---:|---:|---:|---:|\n", title, title + 10);
	for (i = 0; i < json_len(a); i++) {
		e = json_at(a, i);
		buf_printf(b, "| %s | %llu | %llu | %llu | %llu |\n",
		    s(e, "name"), (unsigned long long)u(e, "credited_grams"),
		    (unsigned long long)u(e, "retired_grams"),
		    (unsigned long long)u(e, "reversed_grams"),
		    (unsigned long long)u(e, "entries"));
	}
}

void
report_md(const struct json *o, struct buf *b)
{
	const struct json	*cp = json_get(o, "checkpoint"),
	    *fs = json_get(o,
			    "findings"), *f;
	size_t		 i;

	buf_printf(b, "# Audit of %s\n\nCheckpoint: size **%llu**, root `%s`."
	    "\n\nEntries replayed: %llu. Accounts: %llu. Findings: **%zu**.\n",
	    s(cp, "origin"), (unsigned long long)u(cp, "size"), s(cp, "root"),
	    (unsigned long long)u(o, "entries"),
	    (unsigned long long)u(o, "accounts"), json_len(fs));
	table_md(b, o, "by_issuer", "Totals by issuer");
	table_md(b, o, "by_method", "Totals by method");
	table_md(b, o, "by_activity", "Totals by activity");
	table_md(b, o, "by_month", "Totals by month");
	buf_printf(b, "\n## Findings\n\n");
	if (json_len(fs) == 0)
		buf_printf(b, "None: every rule holds and every total adds "
		    "up.\n");
	else
		buf_printf(b, "| code | entry | related | what |\n"
		    "|---|---:|---:|---|\n");
	for (i = 0; i < json_len(fs); i++) {
		char	idx[24] = "", rel[24] = "";
		uint64_t v;

		f = json_at(fs, i);
		if (json_get_u64(json_get(f, "index"), &v) == LD_OK)
			snprintf(idx, sizeof(idx), "%llu", (unsigned long long)v);
		if (json_get_u64(json_get(f, "related"), &v) == LD_OK)
			snprintf(rel, sizeof(rel), "%llu", (unsigned long long)v);
		buf_printf(b, "| %s | %s | %s | %s |\n", s(f, "code"), idx,
		    rel, s(f, "message"));
	}
	buf_printf(b, "\n## Signed checkpoint\n\n```\n%s```\n",
	    s(cp, "note"));
}

/* Escape text for HTML. */
static void
esc(struct buf *b, const char *t)
{
	for (; *t; t++) {
		if (*t == '<')
			buf_adds(b, "&lt;");
		else if (*t == '>')
			buf_adds(b, "&gt;");
		else if (*t == '&')
			buf_adds(b, "&amp;");
		else if (*t == '"')
			buf_adds(b, "&quot;");
		else
			buf_addc(b, *t);
	}
}

/* A horizontal bar chart of credited grams, as inline SVG. */
static void
svg_bars(struct buf *b, const struct json *a, const char *title)
{
	size_t		 i, n = json_len(a);
	uint64_t	 max = 1, v;
	const struct json	*e;

	for (i = 0; i < n; i++)
		if ((v = u(json_at(a, i), "credited_grams")) > max)
			max = v;
	buf_adds(b, "<h3>");
	esc(b, title);
	buf_printf(b, "</h3>\n<svg xmlns=\"http://www.w3.org/2000/svg\" "
	    "width=\"720\" height=\"%zu\" role=\"img\">\n", 24 * n + 10);
	for (i = 0; i < n; i++) {
		e = json_at(a, i);
		v = u(e, "credited_grams");
		buf_printf(b, "<text x=\"0\" y=\"%zu\" font-size=\"12\">",
		    24 * i + 16);
		esc(b, s(e, "name"));
		buf_printf(b, "</text><rect x=\"220\" y=\"%zu\" width=\"%llu\" "
		    "height=\"16\" fill=\"#2e7d32\"/><text x=\"%llu\" y=\"%zu\" "
		    "font-size=\"12\">%llu g</text>\n", 24 * i + 4,
		    (unsigned long long)(v * 380 / max),
		    (unsigned long long)(226 + v * 380 / max), 24 * i + 16,
		    (unsigned long long)v);
	}
	buf_adds(b, "</svg>\n");
}

void
report_html(const struct json *o, struct buf *b)
{
	const struct json	*cp = json_get(o, "checkpoint"),
	    *fs = json_get(o,
			    "findings"), *f;
	size_t		 i;

	buf_adds(b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset="
	    "\"utf-8\"><title>Audit of ");
	esc(b, s(cp, "origin"));
	buf_adds(b, "</title><style>body{font-family:sans-serif;max-width:"
	    "900px;margin:2em auto}table{border-collapse:collapse}td,th{border:"
	    "1px solid #ccc;padding:4px 8px;text-align:right}td:first-child{"
	    "text-align:left}.bad{color:#b71c1c}.ok{color:#2e7d32}</style>"
	    "</head><body>\n<h1>Audit of ");
	esc(b, s(cp, "origin"));
	buf_printf(b, "</h1>\n<p>Checkpoint size <b>%llu</b>, root <code>%s"
	    "</code>. Entries replayed: %llu. Accounts: %llu.</p>\n",
	    (unsigned long long)u(cp, "size"), s(cp, "root"),
	    (unsigned long long)u(o, "entries"),
	    (unsigned long long)u(o, "accounts"));
	if (json_len(fs) == 0)
		buf_adds(b, "<p class=\"ok\">No findings: every rule holds and "
		    "every total adds up.</p>\n");
	else {
		buf_printf(b, "<h2 class=\"bad\">%zu findings</h2>\n<table><tr>"
		    "<th>code</th><th>what</th></tr>\n", json_len(fs));
		for (i = 0; i < json_len(fs); i++) {
			f = json_at(fs, i);
			buf_adds(b, "<tr><td>");
			esc(b, s(f, "code"));
			buf_adds(b, "</td><td style=\"text-align:left\">");
			esc(b, s(f, "message"));
			buf_adds(b, "</td></tr>\n");
		}
		buf_adds(b, "</table>\n");
	}
	buf_adds(b, "<h2>Totals</h2>\n");
	svg_bars(b, json_get(o, "by_month"), "Credited over time (by month of "
	    "the event)");
	svg_bars(b, json_get(o, "by_issuer"), "By issuer");
	svg_bars(b, json_get(o, "by_method"), "By method");
	svg_bars(b, json_get(o, "by_activity"), "By activity");
	buf_adds(b, "<h2>Signed checkpoint</h2>\n<pre>");
	esc(b, s(cp, "note"));
	buf_adds(b, "</pre>\n</body></html>\n");
}
