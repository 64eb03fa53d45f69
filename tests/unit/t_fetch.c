/* t_fetch.c - unit tests for common/fetch.c's URLs and common/tls.c. */
/*
 * The URL forms fetch_open takes (http and https, default ports, IPv6
 * in brackets, a prefix) and refuses; which hosts may receive a secret
 * over plain http (fetch_confidential: loopback only); --cacert files
 * that cannot be used are refused at open, with the reason.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "fetch.h"
#include "t.h"
#include "tls.h"

static int
opens(const char *url)
{
	struct fetch	*f = NULL;
	char		 err[256];
	int		 rc;

	rc = fetch_open(url, NULL, 5, err, sizeof(err), &f);
	T_ASSERT(rc == LD_OK ? f != NULL : f == NULL);
	if (rc != LD_OK)
		T_ASSERT(strstr(err, "expected http[s]://") != NULL);
	fetch_close(f);
	return rc == LD_OK;
}

static void
test_urls(void)
{
	T_ASSERT(opens("http://127.0.0.1:8080"));
	T_ASSERT(opens("http://example.org/carbon/"));
	T_ASSERT(opens("https://example.org"));
	T_ASSERT(opens("https://[::1]:8443/log"));
	T_ASSERT(opens("http://[2001:db8::1]"));
	T_ASSERT(!opens("ftp://example.org"));
	T_ASSERT(!opens("HTTP://example.org"));
	T_ASSERT(!opens("https://"));
	T_ASSERT(!opens("https://:443"));
	T_ASSERT(!opens("http://example.org:0"));
	T_ASSERT(!opens("http://example.org:65536"));
	T_ASSERT(!opens("http://example.org:80x"));
	T_ASSERT(!opens("http://[::1"));
	T_ASSERT(!opens("http://[::1]x"));
	T_ASSERT(!opens("http://[example.org]"));
	T_ASSERT(!opens("http://user@example.org"));
}

static int
confidential(const char *url)
{
	struct fetch	*f;
	char		 err[256];
	int		 v;

	T_ASSERT_EQ(fetch_open(url, NULL, 5, err, sizeof(err), &f), LD_OK);
	v = fetch_confidential(f);
	fetch_close(f);
	return v;
}

static void
test_confidential(void)
{
	T_ASSERT(confidential("http://127.0.0.1:8080"));
	T_ASSERT(confidential("http://127.3.4.5"));
	T_ASSERT(confidential("http://localhost:1/p"));
	T_ASSERT(confidential("http://[::1]:8080"));
	T_ASSERT(confidential("http://[::ffff:127.0.0.1]"));
	T_ASSERT(confidential("https://192.0.2.1"));
	T_ASSERT(confidential("https://ledger.example.org"));
	T_ASSERT(!confidential("http://192.0.2.1:1"));
	T_ASSERT(!confidential("http://128.0.0.1"));
	T_ASSERT(!confidential("http://10.0.0.1"));
	T_ASSERT(!confidential("http://[2001:db8::1]"));
	T_ASSERT(!confidential("http://[::ffff:10.0.0.1]"));
	T_ASSERT(!confidential("http://localhost.example.org"));
	T_ASSERT(!confidential("http://ledger.example.org"));
}

static void
test_cacert(void)
{
	struct fetch	*f = NULL;
	char		 err[256], path[] = "/tmp/t_fetch.XXXXXX";
	int		 fd;

	/* http ignores --cacert; https loads it at open. */
	T_ASSERT_EQ(fetch_open("http://127.0.0.1", "/nonexistent.pem", 5, err,
	    sizeof(err), &f), LD_OK);
	fetch_close(f);
	T_ASSERT_EQ(fetch_open("https://127.0.0.1", "/nonexistent.pem", 5,
	    err, sizeof(err), &f), LD_EINVAL);
	T_ASSERT(f == NULL);
	T_ASSERT(strstr(err, "/nonexistent.pem: cannot load CA certificates")
	    == err);
	/* A file with no certificate in it. */
	T_ASSERT((fd = mkstemp(path)) >= 0);
	T_ASSERT(write(fd, "not a certificate\n", 18) == 18);
	close(fd);
	T_ASSERT_EQ(fetch_open("https://127.0.0.1", path, 5, err, sizeof(err),
	    &f), LD_EINVAL);
	T_ASSERT(strstr(err, "cannot load CA certificates") != NULL);
	unlink(path);
	/* The system store. */
	T_ASSERT_EQ(fetch_open("https://127.0.0.1", NULL, 5, err, sizeof(err),
	    &f), LD_OK);
	fetch_close(f);
	T_ASSERT(tls_host_is_ip("127.0.0.1") && tls_host_is_ip("::1") &&
	    !tls_host_is_ip("localhost") && !tls_host_is_ip("1.2.3"));
}

int
main(int argc, char **argv)
{
	static const struct t_case	cases[] = {
		T_CASE(test_urls),
		T_CASE(test_confidential),
		T_CASE(test_cacert),
	};

	return t_main(argc, argv, "t_fetch", cases, T_NCASES(cases));
}
