/* cmd_submit.c - ledger submit: stream entries in signed batches. */
/*
 * Lines are read and checked one batch at a time (bounded memory); each
 * batch is signed, sent, and up to --inflight batches travel at once.
 * Replies are handled in input order, so receipts come out in order and
 * the first rejected batch stops everything after it. Network errors
 * and 503 are retried with backoff: resubmission is idempotent.
 * SIGINT or SIGTERM stops the reading and sending; the batches in flight
 * are finished and their receipts written (rcptout.h), and the --skip to
 * resume with is printed.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "cmd.h"
#include "err.h"
#include "file.h"
#include "form.h"
#include "input.h"
#include "json.h"
#include "rcptout.h"
#include "u64.h"
#include "wipe.h"
#include "xmalloc.h"

#define DEFAULT_BATCH		1000
#define DEFAULT_INFLIGHT	4
#define MAX_TRIES		10

struct batch {
	struct codec_batch	 req;
	uint64_t		 first_line;	/* input line of entry 0 */
	uint64_t		*lines;		/* input line of each entry */
	struct buf		 body;
	int			 state;		/* 0 free, 1 sent, 2 done */
	int			 tries;
	struct fetch_resp	 resp;
	struct submit		*sub;
};

/* The signal asking to stop, 0 if none. */
static volatile sig_atomic_t submit_signal;

static void
on_signal(int sig)
{
	submit_signal = sig;
}

struct submit {
	struct fetch		*f;
	struct sig_key		*key;
	struct sig_key		*log;		/* verify receipts if set */
	char			 origin[256];
	FILE			*in;
	struct rcptout		*receipts;	/* NULL without --receipts */
	int			 stopped;	/* signal that stopped it */
	const char		*input_name;
	uint32_t		 batch_size;
	int			 inflight;
	int			 json, progress;
	uint64_t		 skip, line, sent, appended, dups, bytes_total;
	uint64_t		 done_lines;	/* lines fully handled */
	double			 t0;
	struct batch		*ring;
	int			 head, count;	/* oldest batch, batches out */
	int			 failed;
	struct ld_error	 err;
	uint64_t		 err_line;
	char			*err_text;
};

static double
now_s(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
progress(struct submit *s, int final)
{
	double	dt = now_s() - s->t0, rate = dt > 0 ? (double)s->sent / dt : 0;
	long	pos;
	static double last;

	if (!s->progress || (!final && now_s() - last < 0.25))
		return;
	last = now_s();
	fprintf(stderr, "\r%llu entries  %.0f/s", (unsigned long long)s->sent,
	    rate);
	if (s->bytes_total > 0 && (pos = ftell(s->in)) > 0 && rate > 0) {
		double frac = (double)pos / (double)s->bytes_total;

		fprintf(stderr, "  %3.0f%%  ETA %.0fs   ", 100 * frac,
		    frac > 0 ? dt / frac - dt : 0);
	}
	if (final)
		fputc('\n', stderr);
}

/* Read up to batch_size entries into b. 0 at end of input, -1 on error. */
static int
read_batch(struct submit *s, struct batch *b, struct input *in)
{
	char		*line = NULL;
	size_t		 cap = 0;
	ssize_t		 n;
	const char	*why = "";
	uint32_t	 k = 0;
	int		 rc;

	memset(&b->req, 0, sizeof(b->req));
	STR_SET(b->req.issuer, sig_key_name(s->key), strlen(sig_key_name(s->key)));
	b->req.subs = xcalloc(s->batch_size, sizeof(struct entry_sub));
	b->lines = xcalloc(s->batch_size, sizeof(uint64_t));
	while (k < s->batch_size && (n = getline(&line, &cap, s->in)) >= 0) {
		s->line++;
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (s->line <= s->skip && in->started)
			continue;
		rc = input_line(in, line, (size_t)n, &b->req.subs[k], &why);
		if (rc == 0 || (rc == 1 && s->line <= s->skip))
			continue;
		if (rc != 1) {
			s->err.code = LD_EINVAL;
			snprintf(s->err.msg, sizeof(s->err.msg), "%s", why);
			s->err_line = s->line;
			s->err_text = xstrdup(line);
			free(line);
			return -1;
		}
		b->lines[k++] = s->line;
	}
	free(line);
	b->req.n = k;
	if (k == 0)
		return 0;
	b->first_line = b->lines[0];
	if (client_sign_batch(&b->req, s->origin, s->key) != LD_OK) {
		s->err.code = LD_EINVAL;
		snprintf(s->err.msg, sizeof(s->err.msg), "cannot sign");
		return -1;
	}
	buf_reset(&b->body);
	client_batch_body(&b->req, &b->body);
	return 1;
}

static void
on_reply(void *arg, struct fetch_resp *resp)
{
	struct batch	*b = arg;

	b->resp = *resp;
	memset(resp, 0, sizeof(*resp));
	b->state = 2;
}

static int
send_batch(struct submit *s, struct batch *b)
{
	b->state = 1;
	return fetch_start(s->f, "POST", "/v1/submit", "application/msgpack",
	    "application/msgpack", NULL, b->body.p, b->body.len, on_reply, b);
}

static void
batch_release(struct batch *b)
{
	codec_batch_free(&b->req);
	free(b->lines);
	b->lines = NULL;
	fetch_resp_free(&b->resp);
	b->state = 0;
	b->tries = 0;
}

/* Handle the oldest batch's reply: receipts, retry, or stop. */
static int
finish_batch(struct submit *s, struct batch *b)
{
	struct client_receipt	*rc;
	struct json		*o;
	struct buf		 line = { 0 }, out = { 0 };
	uint32_t		 i;
	int			 r;

	if (b->resp.status != 200) {
		client_error_reply(&b->resp, &s->err);
		if ((s->err.code == LD_ENET || s->err.code == LD_EBUSY) &&
		    ++b->tries < MAX_TRIES) {
			unsigned ms = b->resp.retry_after > 0 ?
			    (unsigned)b->resp.retry_after * 1000 :
			    100u << (b->tries < 6 ? b->tries : 6);

			fetch_resp_free(&b->resp);
			usleep(ms * 1000);
			if (send_batch(s, b) == LD_OK)
				return 0;
		}
		s->failed = 1;
		if (s->err.pos >= 0 && (uint32_t)s->err.pos < b->req.n) {
			s->err_line = b->lines[s->err.pos];
			o = form_sub_to_json(&b->req.subs[s->err.pos]);
			json_render(o, &line);
			s->err_text = xstrndup((char *)line.p, line.len);
			json_free(o);
			buf_free(&line);
		} else
			s->err_line = b->first_line;
		return -1;
	}
	rc = xcalloc(b->req.n, sizeof(*rc));
	r = client_submit_reply(b->resp.body.p, b->resp.body.len, &b->req,
	    s->log, rc, &s->err);
	for (i = 0; r == LD_OK && i < b->req.n; i++) {
		if (rc[i].duplicate)
			s->dups++;
		else
			s->appended++;
		if (s->receipts == NULL)
			continue;
		o = json_obj();
		json_set(o, "line", json_u64(b->lines[i]));
		json_set(o, "index", json_u64(rc[i].index));
		json_set(o, "leaf_hash", json_hex(rc[i].leaf_hash, 32));
		json_set(o, "duplicate", json_bool(rc[i].duplicate));
		json_set(o, "receipt", json_strn((char *)rc[i].text.p,
		    rc[i].text.len));
		json_render(o, &out);
		buf_addc(&out, '\n');
		json_free(o);
	}
	if (r == LD_OK && s->receipts != NULL && rcptout_write(s->receipts,
	    out.p, out.len, b->req.n) != LD_OK) {
		r = LD_ESYS;
		s->err.code = LD_ESYS;
		snprintf(s->err.msg, sizeof(s->err.msg), "cannot write the "
		    "receipts: %s (the batch is in the log)", strerror(errno));
	}
	buf_free(&out);
	for (i = 0; i < b->req.n; i++)
		client_receipt_free(&rc[i]);
	free(rc);
	buf_free(&line);
	if (r != LD_OK) {
		s->failed = 1;
		s->err_line = b->first_line;
		return -1;
	}
	s->done_lines = b->lines[b->req.n - 1];
	return 1;
}

/* Whether b holds an entry that depends on the log's state before it. */
static int
needs_order(const struct batch *b)
{
	uint32_t	i;

	for (i = 0; i < b->req.n; i++)
		if (b->req.subs[i].kind != KIND_CREDIT)
			return 1;
	return 0;
}

static int
run(struct submit *s)
{
	struct input	in = { 0 };
	int		eof = 0, read_failed = 0, r, i;
	struct batch *b;

	s->ring = xcalloc((size_t)s->inflight, sizeof(struct batch));
	s->t0 = now_s();
	while (!s->failed && (!eof || s->count > 0)) {
		/*
		 * Fill the pipeline. Batches in flight may be sequenced in any
		 * order, so one holding a retirement or reversal (which may
		 * depend on the credits before it) waits until everything
		 * before it is acknowledged.
		 */
		while (!eof && s->count < s->inflight) {
			if (submit_signal != 0) {
				/* Stop reading and sending; drain. */
				s->stopped = submit_signal;
				eof = 1;
				break;
			}
			b = &s->ring[(s->head + s->count) % s->inflight];
			if (b->state == 3) {
				if (s->count > 0)
					break;
			} else {
				r = read_batch(s, b, &in);
				if (r < 0) {
					/* Finish the batches before it. */
					batch_release(b);
					eof = read_failed = 1;
					break;
				}
				if (r == 0) {
					batch_release(b);
					eof = 1;
					break;
				}
				if (needs_order(b) && s->count > 0) {
					b->state = 3;	/* read, not sent */
					break;
				}
			}
			if (send_batch(s, b) != LD_OK) {
				s->failed = 1;
				s->err.code = LD_ENET;
				snprintf(s->err.msg, sizeof(s->err.msg),
				    "cannot send to %s", fetch_url(s->f));
				break;
			}
			s->sent += b->req.n;
			s->count++;
		}
		if (s->failed || s->count == 0)
			break;
		/* Complete the oldest batch, in order. */
		b = &s->ring[s->head];
		while (b->state != 2)
			fetch_wait(s->f);
		r = finish_batch(s, b);
		if (r == 0)
			continue;	/* resent */
		batch_release(b);
		s->head = (s->head + 1) % s->inflight;
		s->count--;
		progress(s, 0);
		if (r < 0)
			break;
	}
	if (read_failed && !s->failed)
		s->failed = 1;
	/* Let what is in flight land before stopping (it may be appended). */
	while (fetch_inflight(s->f) > 0)
		fetch_wait(s->f);
	for (i = 0; i < s->inflight; i++) {
		buf_free(&s->ring[i].body);
		if (s->ring[i].state != 0)
			batch_release(&s->ring[i]);
	}
	free(s->ring);
	input_free(&in);
	progress(s, 1);
	return s->failed ? -1 : 0;
}

static void
opt_batch(void *arg, const char *v)
{
	struct submit	*s = arg;
	uint64_t	 n;

	if (u64_parse(v, strlen(v), &n) || n == 0 || n > BATCH_MAX)
		cli_usage("ledger submit: --batch is 1..10000\n");
	s->batch_size = (uint32_t)n;
}

static void
opt_inflight(void *arg, const char *v)
{
	struct submit	*s = arg;
	uint64_t	 n;

	if (u64_parse(v, strlen(v), &n) || n == 0 || n > FETCH_MAX_INFLIGHT)
		cli_usage("ledger submit: --inflight is 1..16\n");
	s->inflight = (int)n;
}

static void
opt_skip(void *arg, const char *v)
{
	struct submit	*s = arg;

	if (u64_parse(v, strlen(v), &s->skip))
		cli_usage("ledger submit: --skip N\n");
}

int
cmd_submit(int argc, char **argv)
{
	static const char help[] =
	    "usage: ledger submit --server URL --key FILE [--batch N] "
	    "[--receipts OUT.jsonl]\n"
	    "                     [--skip N] [--inflight N] [--vkey VKEY] "
	    "[--json] [--quiet] INPUT\n"
	    "INPUT is JSON Lines (or CSV with a header row, credits only);\n"
	    "'-' reads stdin. See docs/issuers.md.\n" CMD_HELP_TLS;
	struct submit	 s;
	struct stat	 st;
	const char	*server = NULL, *keyfile = NULL, *receipts = NULL;
	const char	*cacert = NULL, *input;
	struct rcptout	 out;
	struct sigaction sa;
	char		*text, why[512];
	size_t		 len;
	uint64_t	 written;
	double		 dt;
	int		 quiet = 0, rc, run_rc, have_st, ex;
	const struct cli_opt opts[] = {
		CLI_OPT_SERVER(&server),
		CLI_OPT_CACERT(&cacert),
		{ .name = "key", .letter = 'k', .arg = "FILE", .str = &keyfile },
		{ .name = "batch", .letter = 'b', .arg = "N", .fn = opt_batch,
		    .ctx = &s },
		{ .name = "receipts", .letter = 'r', .arg = "OUT.jsonl",
		    .str = &receipts },
		{ .name = "skip", .letter = 'S', .arg = "N", .fn = opt_skip,
		    .ctx = &s },
		{ .name = "inflight", .letter = 'I', .arg = "N",
		    .fn = opt_inflight, .ctx = &s },
		CMD_OPT_VKEY('V', &s.log),
		CLI_OPT_JSON(&s.json),
		{ .name = "quiet", .letter = 'q', .flag = &quiet },
		CLI_OPT_END,
	};

	memset(&s, 0, sizeof(s));
	s.batch_size = DEFAULT_BATCH;
	s.inflight = DEFAULT_INFLIGHT;
	if (cli_parse(argc, argv, 1, opts, help) + 1 != argc ||
	    keyfile == NULL)
		cli_usage(help);
	input = argv[argc - 1];
	if (file_read(keyfile, 4096, &text, &len) != LD_OK ||
	    sig_key_from_skey(text, len, &s.key) != LD_OK) {
		fprintf(stderr, "ledger: %s is not a signing key (ledger "
		    "keygen makes one)\n", keyfile);
		return CLI_EXIT_USAGE;
	}
	wipe_secure(text, len);
	free(text);
	s.f = cmd_server(server, cacert);
	s.input_name = input;
	if (strcmp(input, "-") == 0)
		s.in = stdin;
	else if ((s.in = fopen(input, "r")) == NULL) {
		fprintf(stderr, "ledger: cannot open %s\n", input);
		return CLI_EXIT_USAGE;
	}
	have_st = fstat(fileno(s.in), &st) == 0;
	if (have_st && S_ISREG(st.st_mode))
		s.bytes_total = (uint64_t)st.st_size;
	s.done_lines = s.skip;
	if (receipts != NULL && (rc = rcptout_open(&out, receipts,
	    have_st ? &st : NULL, s.skip, why, sizeof(why))) != LD_OK) {
		fprintf(stderr, "ledger submit: %s\n", why);
		ex = CLI_EXIT_USAGE;
		goto out;
	}
	if (receipts != NULL)
		s.receipts = &out;
	s.progress = !quiet && isatty(2);
	if (client_origin(s.f, s.origin, sizeof(s.origin), &s.err) != LD_OK) {
		fprintf(stderr, "ledger: %s: %s\n", server, s.err.msg);
		ex = cmd_exit_for(&s.err);
		goto out;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART | SA_RESETHAND;	/* a second one kills */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	rc = run_rc = run(&s) == 0 ? LD_OK : LD_EINVAL;
	dt = now_s() - s.t0;
	if (s.receipts != NULL) {
		written = out.written;
		s.receipts = NULL;
		if (rcptout_close(&out, (rc == LD_OK && !s.stopped) ||
		    written > 0) != LD_OK) {
			fprintf(stderr, "ledger: cannot write %s: %s\n",
			    receipts, strerror(errno));
			if (rc == LD_OK)
				s.err.code = LD_ESYS;
			rc = LD_ESYS;
		}
	}
	if (run_rc != LD_OK) {
		fprintf(stderr, "ledger: stopped at input line %llu: %s%s%s\n",
		    (unsigned long long)s.err_line, s.err.rule[0] ?
		    s.err.rule : "", s.err.rule[0] ? ": " : "", s.err.msg);
		if (s.err_text != NULL)
			fprintf(stderr, "ledger: entry: %s\n", s.err_text);
		fprintf(stderr, "ledger: %llu entries before it are in the "
		    "log (%llu new, %llu duplicates); batches after it that "
		    "were already in flight may be too. Fix the line, then "
		    "resume with --skip %llu%s, or resubmit the whole file: "
		    "duplicates are recognised.\n",
		    (unsigned long long)(s.appended + s.dups),
		    (unsigned long long)s.appended,
		    (unsigned long long)s.dups,
		    (unsigned long long)s.done_lines, receipts != NULL &&
		    s.done_lines > 0 ? " (and the same --receipts file: it is "
		    "continued)" : "");
	} else if (rc == LD_OK && s.stopped)
		fprintf(stderr, "ledger: %s: stopped sending; the %llu "
		    "entries sent are in the log (%llu new, %llu duplicates)"
		    "%s%s%s. Resume with --skip %llu%s.\n",
		    s.stopped == SIGINT ? "SIGINT" : "SIGTERM",
		    (unsigned long long)(s.appended + s.dups),
		    (unsigned long long)s.appended, (unsigned long long)s.dups,
		    receipts ? ", their receipts in " : "",
		    receipts ? receipts : "", receipts ? " (whole lines)" : "",
		    (unsigned long long)s.done_lines, receipts ?
		    " and the same --receipts file: it is continued" : "");
	if (s.json)
		printf("{\"entries\":%llu,\"new\":%llu,\"duplicates\":%llu,"
		    "\"seconds\":%.3f,\"ok\":%s,\"resume_skip\":%llu%s%s%s}\n",
		    (unsigned long long)(s.appended + s.dups),
		    (unsigned long long)s.appended, (unsigned long long)s.dups,
		    dt, rc == LD_OK && !s.stopped ? "true" : "false",
		    (unsigned long long)s.done_lines,
		    s.stopped ? ",\"signal\":\"" : "", s.stopped ?
		    (s.stopped == SIGINT ? "SIGINT" : "SIGTERM") : "",
		    s.stopped ? "\"" : "");
	else if (rc == LD_OK && !s.stopped)
		printf("submitted %llu entries (%llu new, %llu duplicates) in "
		    "%.2f s, %.0f entries/s%s%s\n",
		    (unsigned long long)(s.appended + s.dups),
		    (unsigned long long)s.appended, (unsigned long long)s.dups,
		    dt, dt > 0 ? (double)(s.appended + s.dups) / dt : 0.0,
		    receipts ? "; receipts in " : "", receipts ? receipts : "");
	if (rc != LD_OK)
		ex = cmd_exit_for(&s.err);
	else
		ex = s.stopped ? 128 + s.stopped : CLI_EXIT_OK;
out:
	if (s.receipts != NULL)
		(void)rcptout_close(s.receipts, 0);
	if (s.in != NULL && s.in != stdin)
		fclose(s.in);
	free(s.err_text);
	sig_key_free(s.key);
	sig_key_free(s.log);
	fetch_close(s.f);
	return ex;
}
