/* srv.c - a private ledgerd for the benchmarks, and signed batches for it. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "buf.h"
#include "client.h"
#include "entry.h"
#include "err.h"
#include "fetch.h"
#include "file.h"
#include "hex.h"
#include "merkle.h"
#include "sig.h"
#include "srv.h"
#include "xmalloc.h"

#define MAX_KIDS	16

static pid_t	kids[MAX_KIDS];
static char	tmpdir[512];
static pid_t	owner;		/* the bench process (not a forked child) */

static void
kids_add(pid_t p)
{
	int	i;

	for (i = 0; i < MAX_KIDS; i++)
		if (kids[i] == 0) {
			kids[i] = p;
			return;
		}
}

static void
kids_del(pid_t p)
{
	int	i;

	for (i = 0; i < MAX_KIDS; i++)
		if (kids[i] == p)
			kids[i] = 0;
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* At exit, however the bench ends: kill what it started, remove its files. */
static void
cleanup(void)
{
	int	i, status;

	if (getpid() != owner)
		return;
	for (i = 0; i < MAX_KIDS; i++)
		if (kids[i] > 0)
			kill(kids[i], SIGKILL);
	for (i = 0; i < MAX_KIDS; i++)
		if (kids[i] > 0) {
			waitpid(kids[i], &status, 0);
			kids[i] = 0;
		}
	if (tmpdir[0] != '\0' && getenv("BENCH_KEEP") == NULL)
		nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void
on_signal(int sig)
{
	cleanup();
	signal(sig, SIG_DFL);
	raise(sig);
}

const char *
bench_tmpdir(void)
{
	const char	*t = getenv("TMPDIR");

	if (tmpdir[0] != '\0')
		return tmpdir;
	snprintf(tmpdir, sizeof(tmpdir), "%s/ledger-bench.XXXXXX",
	    t && *t ? t : "/tmp");
	if (mkdtemp(tmpdir) == NULL) {
		perror("bench: mkdtemp");
		exit(1);
	}
	owner = getpid();
	atexit(cleanup);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
	/* A crash or an abort() must not leave a ledgerd or files behind. */
	signal(SIGSEGV, on_signal);
	signal(SIGBUS, on_signal);
	signal(SIGABRT, on_signal);
	return tmpdir;
}

static double
now_s(void)
{
	return (double)bench_now_ns() / 1e9;
}

static void
sleep_ms(double ms)
{
	struct timespec	ts;

	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)((ms - (double)ts.tv_sec * 1000) * 1e6);
	nanosleep(&ts, NULL);
}

/* Copy src to dst (mode 0755); 0 or -1. */
static int
copy_file(const char *src, const char *dst)
{
	char	*p;
	size_t	 len;
	int	 rc;

	if (file_read(src, 64 << 20, &p, &len) != LD_OK)
		return -1;
	rc = file_write(dst, p, len, 0755, 0) == LD_OK ? 0 : -1;
	free(p);
	return rc;
}

/*
 * The programs under test, copied from $B/bin (build/bin) into the
 * scratch directory once, so that a rebuild during the run (others work
 * in the same tree) cannot swap or break them half-way.
 */
const char *
bench_bindir(void)
{
	static const char *const progs[] = { "ledgerd", "ledger",
	    "ledger-audit" };
	static char	 dir[600];
	const char	*b = getenv("B");
	char		 src[600], dst[700];
	size_t		 i;
	int		 tries;

	if (dir[0] != '\0')
		return dir;
	snprintf(dir, sizeof(dir), "%s/bin", bench_tmpdir());
	if (mkdir(dir, 0700) != 0) {
		perror(dir);
		exit(1);
	}
	for (i = 0; i < sizeof(progs) / sizeof(progs[0]); i++) {
		snprintf(src, sizeof(src), "%s/bin/%s", b && *b ? b : "build",
		    progs[i]);
		snprintf(dst, sizeof(dst), "%s/%s", dir, progs[i]);
		for (tries = 0; copy_file(src, dst) != 0; tries++) {
			if (tries == 50) {
				fprintf(stderr, "bench: cannot copy %s\n",
				    src);
				exit(1);
			}
			sleep_ms(100);	/* being relinked? */
		}
	}
	return dir;
}

/* Fork a child that dies with the bench; stdout to outfd (or inherited),
 * stderr to errfd (or inherited). */
static pid_t
spawn(char *const argv[], int outfd, int errfd)
{
	pid_t	pid;

	fflush(stdout);
	fflush(stderr);
	if ((pid = fork()) < 0) {
		perror("bench: fork");
		return -1;
	}
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != owner && owner != 0)
			_exit(127);
		if (outfd >= 0 && dup2(outfd, 1) < 0)
			_exit(127);
		if (errfd >= 0 && dup2(errfd, 2) < 0)
			_exit(127);
		execv(argv[0], argv);
		fprintf(stderr, "bench: exec %s: %s\n", argv[0],
		    strerror(errno));
		_exit(127);
	}
	kids_add(pid);
	return pid;
}

int
run_cmd(char *const argv[], struct buf *out, double timeout, double *secs)
{
	struct pollfd	pfd;
	char		chunk[65536];
	double		t0 = now_s(), left;
	ssize_t		n;
	pid_t		pid;
	int		p[2] = { -1, -1 }, status = 0, done = 0;

	bench_tmpdir();
	if (pipe(p) != 0)
		return -1;
	fcntl(p[0], F_SETFD, FD_CLOEXEC);
	pid = spawn(argv, p[1], -1);
	close(p[1]);
	if (pid < 0) {
		close(p[0]);
		return -1;
	}
	pfd.fd = p[0];
	pfd.events = POLLIN;
	while (!done) {
		left = timeout - (now_s() - t0);
		if (left <= 0) {
			fprintf(stderr, "bench: %s: over %.0f s, killed\n",
			    argv[0], timeout);
			kill(pid, SIGKILL);
			break;
		}
		if (poll(&pfd, 1, (int)(left * 1000) + 1) <= 0)
			continue;
		n = read(p[0], chunk, sizeof(chunk));
		if (n <= 0)
			done = 1;
		else if (out != NULL)
			buf_add(out, chunk, (size_t)n);
	}
	close(p[0]);
	waitpid(pid, &status, 0);
	kids_del(pid);
	if (secs != NULL)
		*secs = now_s() - t0;
	if (out != NULL)
		buf_cstr(out);
	if (!done || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

int
srv_init(struct srv *s, const char *name)
{
	char	*argv[8], *tok;
	struct buf out = { 0 };
	size_t	 len;
	char	 bin[600], path[600];

	memset(s, 0, sizeof(*s));
	snprintf(s->dir, sizeof(s->dir), "%s/%s", bench_tmpdir(), name);
	snprintf(s->logpath, sizeof(s->logpath), "%s.log", s->dir);
	snprintf(s->origin, sizeof(s->origin), "bench.example.org/%s", name);
	snprintf(bin, sizeof(bin), "%s/ledgerd", bench_bindir());
	argv[0] = bin;
	argv[1] = (char *)"init";
	argv[2] = (char *)"--data";
	argv[3] = s->dir;
	argv[4] = (char *)"--origin";
	argv[5] = s->origin;
	argv[6] = NULL;
	if (run_cmd(argv, &out, 30, NULL) != 0) {
		fprintf(stderr, "bench: ledgerd init %s failed\n", s->dir);
		buf_free(&out);
		return -1;
	}
	while (out.len > 0 && (out.p[out.len - 1] == '\n'))
		out.len--;
	snprintf(s->vkey, sizeof(s->vkey), "%.*s", (int)out.len,
	    (char *)out.p);
	buf_free(&out);
	snprintf(path, sizeof(path), "%s/admin.token", s->dir);
	if (file_read(path, 4096, &tok, &len) != LD_OK) {
		fprintf(stderr, "bench: cannot read %s\n", path);
		return -1;
	}
	while (len > 0 && (tok[len - 1] == '\n' || tok[len - 1] == ' '))
		len--;
	snprintf(s->auth, sizeof(s->auth), "Bearer %.*s", (int)len, tok);
	free(tok);
	return 0;
}

/* The port from "listening on 127.0.0.1:PORT" in the log, or 0. */
static int
log_port(const char *path)
{
	char		*text, *p, *last = NULL;
	size_t		 len;
	int		 port = 0;

	if (file_read(path, 16 << 20, &text, &len) != LD_OK)
		return 0;
	for (p = text; (p = strstr(p, "listening on 127.0.0.1:")) != NULL;
	    p++)
		last = p;
	if (last != NULL)
		port = atoi(last + strlen("listening on 127.0.0.1:"));
	free(text);
	return port;
}

pid_t
srv_spawn_listening(char *const argv[], const char *logpath, int *port)
{
	double	t0 = now_s();
	pid_t	pid;
	int	fd, status;

	*port = 0;
	if ((fd = open(logpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0644)) < 0) {
		perror(logpath);
		return -1;
	}
	pid = spawn(argv, fd, fd);
	close(fd);
	while (pid > 0 && now_s() - t0 < 30) {
		if (waitpid(pid, &status, WNOHANG) == pid) {
			kids_del(pid);
			break;
		}
		if ((*port = log_port(logpath)) != 0)
			return pid;
		sleep_ms(1);
	}
	fprintf(stderr, "bench: %s did not start listening (log %s)\n",
	    argv[0], logpath);
	return -1;
}

int
srv_start(struct srv *s, double *ready)
{
	struct fetch_resp	 resp;
	char			*argv[10], bin[600], url[64];
	double			 t0;
	int			 fd, status;

	snprintf(bin, sizeof(bin), "%s/ledgerd", bench_bindir());
	argv[0] = bin;
	argv[1] = (char *)"serve";
	argv[2] = (char *)"--data";
	argv[3] = s->dir;
	argv[4] = (char *)"--listen";
	argv[5] = (char *)"127.0.0.1:0";
	argv[6] = NULL;
	if (s->witness_policy != NULL) {
		argv[6] = (char *)"--witness-policy";
		argv[7] = (char *)s->witness_policy;
		argv[8] = NULL;
	}
	if ((fd = open(s->logpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0644)) < 0) {
		perror(s->logpath);
		return -1;
	}
	t0 = now_s();
	s->pid = spawn(argv, fd, fd);
	close(fd);
	if (s->pid < 0)
		return -1;
	s->port = 0;
	/* Bounded: a 10^7-entry store opens in well under a minute. */
	while (now_s() - t0 < 120) {
		if (waitpid(s->pid, &status, WNOHANG) == s->pid) {
			kids_del(s->pid);
			s->pid = 0;
			break;
		}
		if (s->port == 0 && (s->port = log_port(s->logpath)) != 0) {
			snprintf(url, sizeof(url), "http://127.0.0.1:%d",
			    s->port);
			snprintf(s->url, sizeof(s->url), "%s", url);
			if (fetch_open(url, NULL, 30, NULL, 0, &s->f) !=
			    LD_OK)
				return -1;
		}
		if (s->port != 0) {
			memset(&resp, 0, sizeof(resp));
			if (fetch_get(s->f, "/checkpoint", NULL, &resp) ==
			    LD_OK && resp.status == 200) {
				fetch_resp_free(&resp);
				if (ready != NULL)
					*ready = now_s() - t0;
				return 0;
			}
			fetch_resp_free(&resp);
		}
		sleep_ms(1);
	}
	fprintf(stderr, "bench: ledgerd serve --data %s did not answer; its "
	    "log (%s):\n", s->dir, s->logpath);
	{
		char	*text;
		size_t	 len;

		if (file_read(s->logpath, 1 << 20, &text, &len) == LD_OK) {
			fprintf(stderr, "%.*s\n", (int)len, text);
			free(text);
		}
	}
	srv_stop(s);
	return -1;
}

void
srv_stop(struct srv *s)
{
	double	t0 = now_s();
	int	status;

	if (s->f != NULL) {
		fetch_close(s->f);
		s->f = NULL;
	}
	if (s->pid <= 0)
		return;
	kill(s->pid, SIGTERM);
	while (waitpid(s->pid, &status, WNOHANG) == 0) {
		if (now_s() - t0 > 30) {
			fprintf(stderr, "bench: ledgerd %d did not stop in "
			    "30 s; killed\n", (int)s->pid);
			kill(s->pid, SIGKILL);
			waitpid(s->pid, &status, 0);
			break;
		}
		sleep_ms(2);
	}
	kids_del(s->pid);
	s->pid = 0;
}

static int
admin_post(struct srv *s, const char *path, const char *json)
{
	struct fetch_resp	resp;
	int			ok;

	memset(&resp, 0, sizeof(resp));
	ok = fetch_post(s->f, path, "application/json", "application/json",
	    s->auth, json, strlen(json), &resp) == LD_OK &&
	    resp.status == 200;
	if (!ok)
		fprintf(stderr, "bench: POST %s: HTTP %d %.*s\n", path,
		    resp.status, (int)resp.body.len, (char *)resp.body.p);
	fetch_resp_free(&resp);
	return ok ? 0 : -1;
}

int
srv_register(struct srv *s, const struct sig_key *k)
{
	char	*vkey = sig_vkey(k), *json;
	int	 rc;

	json = xasprintf("{\"vkey\":\"%s\",\"name\":\"Bench issuer\"}", vkey);
	rc = admin_post(s, "/v1/admin/issuers", json);
	free(json);
	free(vkey);
	if (rc != 0)
		return rc;
	/* Caps far above anything the bench submits. */
	return admin_post(s, "/v1/admin/methods", "{\"id\":\"" BENCH_METHOD
	    "\",\"activity\":\"public transport ride\",\"unit\":\"ride\","
	    "\"grams_per_unit\":80,\"max_grams_per_event\":80,"
	    "\"max_grams_per_account_day\":1000000000000000,"
	    "\"valid_from\":\"2024-01-01\",\"max_event_age_days\":36500,"
	    "\"reference\":\"ledger benchmark\"}");
}

int
srv_get(struct srv *s, const char *path, struct buf *out)
{
	struct fetch_resp	resp;
	int			st;

	memset(&resp, 0, sizeof(resp));
	/* Once more on a transport error: the server closes keep-alive
	 * connections idle for 30 s (its read timeout). */
	if (fetch_get(s->f, path, NULL, &resp) != LD_OK || resp.status == 0) {
		fetch_resp_free(&resp);
		memset(&resp, 0, sizeof(resp));
		if (fetch_get(s->f, path, NULL, &resp) != LD_OK) {
			fetch_resp_free(&resp);
			return -1;
		}
	}
	st = resp.status;
	buf_add(out, resp.body.p, resp.body.len);
	buf_cstr(out);
	fetch_resp_free(&resp);
	return st;
}

uint64_t
srv_size(struct srv *s)
{
	struct buf	b = { 0 };
	const char	*nl;
	uint64_t	 n = 0;

	if (srv_get(s, "/checkpoint", &b) == 200 &&
	    (nl = strchr((char *)b.p, '\n')) != NULL)
		n = strtoull(nl + 1, NULL, 10);
	buf_free(&b);
	return n;
}

uint64_t
srv_metric(struct srv *s, const char *name)
{
	struct buf	 b = { 0 };
	const char	*p;
	size_t		 n = strlen(name);
	uint64_t	 v = 0;

	if (srv_get(s, "/metrics", &b) == 200) {
		buf_add(&b, "", 1);
		for (p = (char *)b.p; p != NULL; p = strchr(p, '\n')) {
			if (*p == '\n')
				p++;
			if (strncmp(p, name, n) == 0 && p[n] == ' ') {
				v = strtoull(p + n + 1, NULL, 10);
				break;
			}
		}
	}
	buf_free(&b);
	return v;
}

void
srv_kill(struct srv *s)
{
	int	status;

	if (s->f != NULL) {
		fetch_close(s->f);
		s->f = NULL;
	}
	if (s->pid <= 0)
		return;
	kill(s->pid, SIGKILL);
	waitpid(s->pid, &status, 0);
	kids_del(s->pid);
	s->pid = 0;
}

int
proc_rss(pid_t pid, uint64_t *rss, uint64_t *anon, uint64_t *file)
{
	char	path[64], line[256];
	FILE	*f;

	*rss = *anon = *file = 0;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, "VmRSS:", 6) == 0)
			*rss = strtoull(line + 6, NULL, 10);
		else if (strncmp(line, "RssAnon:", 8) == 0)
			*anon = strtoull(line + 8, NULL, 10);
		else if (strncmp(line, "RssFile:", 8) == 0)
			*file = strtoull(line + 8, NULL, 10);
	}
	fclose(f);
	return 0;
}

uint64_t
proc_write_bytes(pid_t pid)
{
	char		path[64], line[256];
	FILE		*f;
	uint64_t	v = 0;

	snprintf(path, sizeof(path), "/proc/%d/io", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, "write_bytes:", 12) == 0)
			v = strtoull(line + 12, NULL, 10);
	fclose(f);
	return v;
}

double
self_cpu(void)
{
	struct rusage	ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	    (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

double
metric(const char *text, const char *name)
{
	const char	*p = text;
	size_t		 n = strlen(name);

	while ((p = strstr(p, name)) != NULL) {
		if ((p == text || p[-1] == '\n') && (p[n] == ' ' ||
		    p[n] == '{'))
			return strtod(strchr(p, ' ') + 1, NULL);
		p += n;
	}
	return -1;
}

int
metric_commit_hist(const char *text, uint64_t cum[COMMIT_BUCKETS],
    double le[COMMIT_BUCKETS])
{
	const char	*p = text, *key = "ledger_commit_seconds_bucket{le=\"";
	int		 k = 0;

	while (k < COMMIT_BUCKETS && (p = strstr(p, key)) != NULL) {
		p += strlen(key);
		le[k] = strncmp(p, "+Inf", 4) == 0 ? 1e9 : strtod(p, NULL);
		p = strchr(p, ' ');
		if (p == NULL)
			break;
		cum[k++] = strtoull(p + 1, NULL, 10);
	}
	return k == COMMIT_BUCKETS && le[k - 1] == 1e9 ? 0 : -1;
}

pid_t
perf_start(pid_t pid, const char *name, double seconds)
{
	const char	*dir = getenv("BENCH_PERF");
	const char	*cg = getenv("BENCH_PERF_CALLGRAPH");
	char		*argv[12], out[600], spid[16], dur[32], cgopt[64];
	int		 fd;
	pid_t		 p;

	if (dir == NULL || *dir == '\0')
		return 0;
	snprintf(out, sizeof(out), "%s/%s.data", dir, name);
	snprintf(spid, sizeof(spid), "%d", (int)pid);
	snprintf(dur, sizeof(dur), "%.1f", seconds);
	argv[0] = (char *)"/usr/bin/perf";
	argv[1] = (char *)"record";
	/* -g, or --call-graph=dwarf (ledgerd has no frame pointers). */
	snprintf(cgopt, sizeof(cgopt), "--call-graph=%s", cg && *cg ? cg :
	    "fp");
	argv[2] = cgopt;
	argv[3] = (char *)"-o";
	argv[4] = out;
	argv[5] = (char *)"-p";
	argv[6] = spid;
	argv[7] = (char *)"--";
	argv[8] = (char *)"sleep";
	argv[9] = dur;
	argv[10] = NULL;
	fd = open("/dev/null", O_WRONLY);
	p = spawn(argv, fd, fd);
	if (fd >= 0)
		close(fd);
	sleep_ms(300);		/* let it attach */
	return p > 0 ? p : 0;
}

void
perf_wait(pid_t p)
{
	int	status;

	if (p <= 0)
		return;
	kill(p, SIGINT);
	waitpid(p, &status, 0);
	kids_del(p);
}

/* ---- signed batches ------------------------------------------------------ */

void
gen_init(struct gen *g, struct sig_key *key, const char *origin,
    const char *salt)
{
	uint8_t	h[32];

	memset(g, 0, sizeof(*g));
	g->key = key;
	snprintf(g->origin, sizeof(g->origin), "%s", origin);
	merkle_sha256(h, salt, strlen(salt));
	memcpy(g->salt, h, sizeof(g->salt));
	atomic_init(&g->next, 0);
}

static void
dedup_of(const struct gen *g, uint64_t i, uint8_t out[32])
{
	uint8_t	in[24];

	memcpy(in, g->salt, 16);
	memcpy(in + 16, &i, 8);
	merkle_sha256(out, in, sizeof(in));
}

void
gen_dedup_hex(const struct gen *g, uint64_t i, char hex[65])
{
	uint8_t	d[32];

	dedup_of(g, i, d);
	hex_encode(hex, d, 32);
}

void
gen_batch_signed(struct gen *g, uint64_t first, uint32_t n,
    struct codec_batch *bp)
{
	struct codec_batch	b;
	struct entry_sub	*s;
	char			 acct[32];
	uint64_t		 i;
	uint32_t		 k;

	memset(&b, 0, sizeof(b));
	STR_SET(b.issuer, sig_key_name(g->key), strlen(sig_key_name(g->key)));
	b.n = n;
	b.subs = xcalloc(n, sizeof(*b.subs));
	for (k = 0; k < n; k++) {
		i = first + k;
		s = &b.subs[k];
		s->kind = KIND_CREDIT;
		snprintf(acct, sizeof(acct), "u-%llu",
		    (unsigned long long)(i % BENCH_ACCOUNTS));
		STR_SET(s->account, acct, strlen(acct));
		STR_SET(s->method, BENCH_METHOD, strlen(BENCH_METHOD));
		s->units = 1;
		s->grams = 80;
		s->day = BENCH_DAY0 + (uint32_t)(i / BENCH_ACCOUNTS % 365);
		dedup_of(g, i, s->dedup);
	}
	if (client_sign_batch(&b, g->origin, g->key) != LD_OK) {
		fprintf(stderr, "bench: cannot sign a batch\n");
		exit(1);
	}
	*bp = b;
}

void
gen_batch(struct gen *g, uint64_t first, uint32_t n, struct buf *body)
{
	struct codec_batch	b;

	gen_batch_signed(g, first, n, &b);
	buf_reset(body);
	if (client_batch_body(&b, body) != LD_OK) {
		fprintf(stderr, "bench: cannot encode a batch\n");
		exit(1);
	}
	codec_batch_free(&b);
}

struct pool_job {
	struct gen	*g;
	struct buf	*bodies;
	uint32_t	 n;
	size_t		 from, to;
	uint64_t	 first;
};

static void *
pool_main(void *arg)
{
	struct pool_job	*j = arg;
	size_t		 i;

	for (i = j->from; i < j->to; i++)
		gen_batch(j->g, j->first + i * j->n, j->n, &j->bodies[i]);
	return NULL;
}

struct buf *
gen_pool(struct gen *g, uint32_t n, size_t count, int nthreads)
{
	struct buf	*bodies = xcalloc(count ? count : 1, sizeof(*bodies));
	struct pool_job	 jobs[8];
	pthread_t	 thr[8];
	uint64_t	 first = atomic_fetch_add(&g->next, (uint64_t)n * count);
	int		 t;

	if (nthreads < 1)
		nthreads = 1;
	if (nthreads > 8)
		nthreads = 8;
	for (t = 0; t < nthreads; t++) {
		jobs[t].g = g;
		jobs[t].bodies = bodies;
		jobs[t].n = n;
		jobs[t].first = first;
		jobs[t].from = count * (size_t)t / (size_t)nthreads;
		jobs[t].to = count * (size_t)(t + 1) / (size_t)nthreads;
		if (pthread_create(&thr[t], NULL, pool_main, &jobs[t]) != 0)
			abort();
	}
	for (t = 0; t < nthreads; t++)
		pthread_join(thr[t], NULL);
	return bodies;
}

void
gen_pool_free(struct buf *bodies, size_t count)
{
	size_t	i;

	for (i = 0; i < count; i++)
		buf_free(&bodies[i]);
	free(bodies);
}
