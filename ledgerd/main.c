/* main.c - ledgerd: init, vkey and serve commands. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cp.h"
#include "err.h"
#include "export.h"
#include "file.h"
#include "hex.h"
#include "httpd.h"
#include "ledgerd.h"
#include "log.h"
#include "parse.h"
#include "reply.h"
#include "route.h"
#include "rules_store.h"
#include "seq.h"
#include "sig.h"
#include "store.h"
#include "u64.h"
#include "wipe.h"
#include "witness.h"
#include "xmalloc.h"

#define DEFAULT_DATA	"./var"
#define DEFAULT_LISTEN	"127.0.0.1:8080"

static void
usage(void)
{
	fprintf(stderr,
	    "usage: ledgerd init  [--data DIR] --origin ORIGIN "
	    "[--leaf-hash-index]\n"
	    "       ledgerd vkey  [--data DIR]\n"
	    "       ledgerd export [--data DIR] --out DIR\n"
	    "       ledgerd serve [--data DIR] [--listen HOST:PORT] "
	    "[--admin-remote]\n"
	    "                     [--export-dir DIR] [--max-conns N]\n"
	    "                     [--request-timeout SECONDS] "
	    "[--max-buffered BYTES]\n"
	    "                     [--map-size BYTES] [--queue-max ENTRIES] "
	    "[-v]\n"
	    "Defaults: --data %s, --listen %s. See docs/operators.md.\n",
	    DEFAULT_DATA, DEFAULT_LISTEN);
	exit(2);
}

static char *
data_path(const char *dir, const char *name)
{
	return xasprintf("%s/%s", dir, name);
}

/* Read a secret file, refusing one that others can read. */
static char *
read_secret(const char *dir, const char *name, size_t *len)
{
	char	*path = data_path(dir, name), *s;
	mode_t	 mode;
	int	 rc;

	if (file_mode_too_open(path, &mode))
		fatalx("%s is mode %04o; it must not be readable by others: "
		    "chmod 600 %s", path, (unsigned)mode, path);
	if ((rc = file_read(path, 4096, &s, len)) != LD_OK)
		fatalx("%s: %s%s", path, ld_strerror(rc), rc == LD_ENOTFOUND ?
		    " (run ledgerd init first)" : "");
	free(path);
	return s;
}

static struct sig_key *
load_key(const char *dir)
{
	struct sig_key	*k;
	size_t		 len;
	char		*s = read_secret(dir, "log.key", &len);

	if (sig_key_from_skey(s, len, &k) != LD_OK)
		fatalx("%s/log.key is not a signed-note private key", dir);
	wipe_secure(s, len);
	free(s);
	return k;
}

static int
cmd_init(const char *dir, const char *origin, int leafhash_index)
{
	struct sig_key	*k;
	struct store	*st;
	struct store_txn *t;
	uint8_t		 tok[32];
	char		 hex[65], *path, *skey, *vkey, *line;
	int		 rc;

	if (origin == NULL)
		usage();
	if (!sig_valid_name(origin, strlen(origin)))
		fatalx("--origin %s: a log origin has no spaces and no '+' "
		    "(e.g. ledger.example.org/carbon/2026)", origin);
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		fatal("mkdir %s", dir);
	path = data_path(dir, "log.key");
	if (access(path, F_OK) == 0)
		fatalx("%s exists: this log is already initialised", path);
	if ((rc = store_open(&st, dir, 0, 0)) != LD_OK)
		fatalx("%s: cannot create the store: %s", dir,
		    ld_strerror(rc));
	/* Chosen once: an index that starts late would miss leaves. */
	if (leafhash_index && ((rc = store_begin(st, 0, &t)) != LD_OK ||
	    (rc = store_meta_put(t, LEAFHASH_META, "1", 1)) != LD_OK ||
	    (rc = store_commit(t)) != LD_OK))
		fatalx("%s: cannot write the store: %s", dir, ld_strerror(rc));
	store_close(st);
	if (sig_keygen(origin, SIG_TYPE_ED25519, &k) != LD_OK)
		fatalx("cannot generate a key");
	skey = sig_skey(k);
	line = xasprintf("%s\n", skey);
	if ((rc = file_write(path, line, strlen(line), 0600, 1)) != LD_OK)
		fatalx("%s: %s", path, ld_strerror(rc));
	wipe_secure(skey, strlen(skey));
	wipe_secure(line, strlen(line));
	free(skey);
	free(line);
	free(path);
	sig_random(tok, sizeof(tok));
	hex_encode(hex, tok, sizeof(tok));
	line = xasprintf("%s\n", hex);
	path = data_path(dir, "admin.token");
	if ((rc = file_write(path, line, strlen(line), 0600, 1)) != LD_OK)
		fatalx("%s: %s", path, ld_strerror(rc));
	wipe_secure(tok, sizeof(tok));
	wipe_secure(hex, sizeof(hex));
	wipe_secure(line, strlen(line));
	free(line);
	free(path);
	vkey = sig_vkey(k);
	line = xasprintf("%s\n", vkey);
	path = data_path(dir, "log.vkey");
	if ((rc = file_write(path, line, strlen(line), 0644, 0)) != LD_OK)
		fatalx("%s: %s", path, ld_strerror(rc));
	printf("%s\n", vkey);
	fprintf(stderr, "ledgerd: initialised %s (log key, admin token in "
	    "%s/admin.token)\n", dir, dir);
	free(line);
	free(path);
	free(vkey);
	sig_key_free(k);
	return 0;
}

static int
cmd_vkey(const char *dir)
{
	struct sig_key	*k = load_key(dir);
	char		*vkey = sig_vkey(k);

	printf("%s\n", vkey);
	free(vkey);
	sig_key_free(k);
	return 0;
}

/* Write the log's checkpoint, tiles and bundles as static files. */
static int
cmd_export(struct ledgerd *ld, const char *out)
{
	struct store_txn	*t;
	struct merkle_tree	 tree;
	struct rules_head	 head;
	struct cp		*cp;
	uint8_t			 root[32];
	uint64_t		 exported = 0;
	int			 rc;

	if (out == NULL)
		usage();
	ld->key = load_key(ld->datadir);
	ld->origin = xstrdup(sig_key_name(ld->key));
	if ((rc = store_open(&ld->store, ld->datadir, ld->mapsize, 0)) != LD_OK)
		fatalx("%s: cannot open the store: %s", ld->datadir,
		    ld_strerror(rc));
	if ((rc = store_begin(ld->store, 1, &t)) != LD_OK)
		fatalx("cannot read the store: %s", ld_strerror(rc));
	if (rules_store_head_get(t, &head) != LD_OK)
		memset(&head, 0, sizeof(head));
	if ((rc = store_tree(t, head.size, &tree)) != LD_OK)
		fatalx("cannot read the tree: %s", ld_strerror(rc));
	store_abort(t);
	merkle_tree_root(&tree, root);
	cp = cp_sign(ld, head.size, root);
	if ((rc = export_tree(ld->store, cp, out, &exported)) != LD_OK)
		fatalx("export to %s: %s", out, ld_strerror(rc));
	printf("exported %llu entries to %s\n", (unsigned long long)head.size,
	    out);
	cp_put(cp);
	store_close(ld->store);
	sig_key_free(ld->key);
	free(ld->origin);
	return 0;
}

/* Whether the log was initialised with --leaf-hash-index. */
static int
leafhash_indexed(struct store *st)
{
	struct store_txn	*t;
	const uint8_t		*p;
	size_t			 len;
	int			 on = 0;

	if (store_begin(st, 1, &t) != LD_OK)
		fatalx("cannot read the store");
	on = store_meta_get(t, LEAFHASH_META, &p, &len) == LD_OK &&
	    len == 1 && p[0] == '1';
	store_abort(t);
	return on;
}

/* One server per data directory: hold an exclusive lock while serving. */
static int
lock_datadir(const char *dir)
{
	char	*path = data_path(dir, "serve.lock");
	int	 fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

	if (fd < 0)
		fatal("%s", path);
	if (flock(fd, LOCK_EX | LOCK_NB) != 0)
		fatalx("%s is already being served by another ledgerd (%s is "
		    "locked)", dir, path);
	free(path);
	return fd;
}

static void
serve_handle(void *ctx, struct httpd_req *req)
{
	route_dispatch(ctx, req);
}

/* Stopping: the sequencer takes no more jobs. */
static void
serve_drain(void *ctx)
{
	struct ledgerd	*ld = ctx;

	seq_drain(ld->seq);
}

/* Every body parsed and every job answered. */
static int
serve_idle(void *ctx)
{
	struct ledgerd	*ld = ctx;

	return parser_idle(ld->parser) && seq_idle(ld->seq);
}

static const struct httpd_hooks serve_hooks = {
	serve_handle, route_count, serve_drain, serve_idle,
};

/* Listen with ledgerd's limits; the 503 at the cap says which. */
static int
serve_listen(struct ledgerd *ld)
{
	struct httpd_config	 cfg;
	struct buf		 refusal = { 0 };
	char			 msg[200];
	int			 rc;

	snprintf(msg, sizeof(msg), "the server holds as many request bodies "
	    "as it may (%llu bytes); retry after a second",
	    (unsigned long long)ld->max_buffered);
	reply_error_body(&refusal, 1, LD_EBUSY, "buffered", msg, -1,
	    NO_INDEX);
	memset(&cfg, 0, sizeof(cfg));
	cfg.listen = ld->listen;
	cfg.max_conns = ld->max_conns;
	cfg.request_timeout = ld->request_timeout;
	cfg.io_timeout = LEDGERD_TIMEOUT;
	cfg.max_buffered = ld->max_buffered;
	cfg.max_headers = LEDGERD_MAX_HEADERS;
	cfg.max_body = LEDGERD_MAX_BODY;
	cfg.refusal_json = buf_cstr(&refusal);
	rc = httpd_open(&cfg, &serve_hooks, ld, &ld->http);
	buf_free(&refusal);
	if (rc == LD_OK)
		ld->max_conns = httpd_max_conns(ld->http);
	return rc;
}

static int
cmd_serve(struct ledgerd *ld, const char *witness_policy)
{
	struct ld_error	 e;
	struct buf	 wd = { 0 };
	size_t		 len;
	char		*tok;
	int		 rc, lockfd;

	ld->key = load_key(ld->datadir);
	lockfd = lock_datadir(ld->datadir);
	ld->origin = xstrdup(sig_key_name(ld->key));
	tok = read_secret(ld->datadir, "admin.token", &len);
	while (len > 0 && (tok[len - 1] == '\n' || tok[len - 1] == ' '))
		len--;
	if (hex_decode(ld->token, 32, tok, len) != LD_OK)
		fatalx("%s/admin.token must hold 64 hex digits", ld->datadir);
	wipe_secure(tok, len);
	free(tok);
	if ((rc = store_open(&ld->store, ld->datadir, ld->mapsize, 0)) !=
	    LD_OK)
		fatalx("%s: cannot open the store: %s", ld->datadir,
		    ld_strerror(rc));
	ld->leafhash_index = leafhash_indexed(ld->store);
	pthread_mutex_init(&ld->cp_mu, NULL);
	if ((rc = seq_start(ld, &ld->seq)) != LD_OK)
		fatalx("cannot load the log: %s", ld_strerror(rc));
	if (parser_start(ld, &ld->parser) != LD_OK)
		fatalx("cannot start the parser thread");
	memset(&e, 0, sizeof(e));
	if (witness_policy != NULL &&
	    witness_start(ld, witness_policy, &ld->wit, &e) != LD_OK)
		fatalx("--witness-policy: %s", e.msg);
	if (serve_listen(ld) != LD_OK)
		fatalx("cannot listen on %s", ld->listen);
	log_info("%s: serving %s, %llu entries, listening on %.*s:%d",
	    ld->datadir, ld->origin, (unsigned long long)ld->cp->size,
	    (int)(strrchr(ld->listen, ':') - ld->listen), ld->listen,
	    httpd_port(ld->http));
	if (ld->wit != NULL) {
		witness_describe(ld->wit, &wd);
		log_info("%s: checkpoints sent to %.*s", ld->origin,
		    (int)wd.len, (const char *)wd.p);
		buf_free(&wd);
	}
	rc = httpd_run(ld->http);
	witness_stop(ld->wit);
	ld->wit = NULL;
	parser_stop(ld->parser);
	seq_stop(ld->seq);
	httpd_free(ld->http);
	store_ncache_free(ld->ncache);
	store_close(ld->store);
	cp_put(ld->cp);
	sig_key_free(ld->key);
	free(ld->origin);
	wipe_secure(ld->token, sizeof(ld->token));
	close(lockfd);
	log_info("stopped");
	return rc == LD_OK ? 0 : 1;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "data", required_argument, NULL, 'd' },
		{ "origin", required_argument, NULL, 'o' },
		{ "listen", required_argument, NULL, 'l' },
		{ "admin-remote", no_argument, NULL, 'R' },
		{ "map-size", required_argument, NULL, 'm' },
		{ "queue-max", required_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "out", required_argument, NULL, 'O' },
		{ "max-conns", required_argument, NULL, 'C' },
		{ "export-dir", required_argument, NULL, 'E' },
		{ "request-timeout", required_argument, NULL, 'T' },
		{ "max-buffered", required_argument, NULL, 'B' },
		{ "leaf-hash-index", no_argument, NULL, 'H' },
		{ "witness-policy", required_argument, NULL, 'W' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ledgerd	 ld;
	const char	*cmd, *origin = NULL, *out = NULL, *wpolicy = NULL;
	uint64_t	 v;
	int		 c, verbose = 1, leafhash_index = 0;

	memset(&ld, 0, sizeof(ld));
	ld.datadir = DEFAULT_DATA;
	ld.listen = DEFAULT_LISTEN;
	ld.queue_max = LEDGERD_QUEUE_MAX;
	ld.max_conns = LEDGERD_MAX_CONNS;
	ld.request_timeout = LEDGERD_REQUEST_TIMEOUT;
	ld.max_buffered = LEDGERD_MAX_BUFFERED;
	if (argc < 2 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0)
		usage();
	cmd = argv[1];
	optind = 2;
	while ((c = getopt_long(argc, argv, "d:o:l:Rm:q:vhO:E:C:T:B:W:", opts, NULL)) !=
	    -1) {
		switch (c) {
		case 'd':
			ld.datadir = optarg;
			break;
		case 'o':
			origin = optarg;
			break;
		case 'l':
			ld.listen = optarg;
			break;
		case 'R':
			ld.admin_remote = 1;
			break;
		case 'm':
			if (u64_parse(optarg, strlen(optarg), &v) != LD_OK ||
			    v < (1 << 20))
				fatalx("--map-size must be a byte count "
				    ">= 1048576");
			ld.mapsize = v;
			break;
		case 'q':
			if (u64_parse(optarg, strlen(optarg), &v) != LD_OK ||
			    v == 0)
				fatalx("--queue-max must be a positive count");
			ld.queue_max = (size_t)v;
			break;
		case 'v':
			verbose = 2;
			break;
		case 'O':
			out = optarg;
			break;
		case 'C':
			if (u64_parse(optarg, strlen(optarg), &v) != LD_OK ||
			    v == 0)
				fatalx("--max-conns must be a positive count");
			ld.max_conns = v;
			break;
		case 'E':
			ld.export_dir = optarg;
			break;
		case 'H':
			leafhash_index = 1;
			break;
		case 'W':
			wpolicy = optarg;
			break;
		case 'T':
			if (u64_parse(optarg, strlen(optarg), &v) != LD_OK ||
			    v == 0 || v > 3600)
				fatalx("--request-timeout must be 1 to 3600 "
				    "seconds");
			ld.request_timeout = (unsigned)v;
			break;
		case 'B':
			if (u64_parse(optarg, strlen(optarg), &v) != LD_OK ||
			    v < 65536)
				fatalx("--max-buffered must be a byte count "
				    ">= 65536");
			ld.max_buffered = v;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	log_init("ledgerd", verbose);
	if (getenv("LEDGER_MAP_SIZE") != NULL && ld.mapsize == 0 &&
	    u64_parse(getenv("LEDGER_MAP_SIZE"),
	    strlen(getenv("LEDGER_MAP_SIZE")), &v) == LD_OK)
		ld.mapsize = v;
	if (strcmp(cmd, "init") == 0)
		return cmd_init(ld.datadir, origin, leafhash_index);
	if (strcmp(cmd, "vkey") == 0)
		return cmd_vkey(ld.datadir);
	if (strcmp(cmd, "serve") == 0)
		return cmd_serve(&ld, wpolicy);
	if (strcmp(cmd, "export") == 0)
		return cmd_export(&ld, out);
	usage();
}
