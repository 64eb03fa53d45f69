/* holdconns.c - open N TCP connections to 127.0.0.1:PORT and hold them. */
/*
 * usage: holdconns PORT N SECONDS READYFILE
 * Touches READYFILE once all N are connected (or prints how many were),
 * then holds them for SECONDS. A test tool for idle-connection tests.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	struct sockaddr_in	sa = { 0 };
	struct rlimit		rl;
	int			port, n, secs, i, fd, ok = 0;

	if (argc != 5)
		return 2;
	port = atoi(argv[1]);
	n = atoi(argv[2]);
	secs = atoi(argv[3]);
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (i = 0; i < n; i++) {
		struct sockaddr_in	src = { 0 };
		int			p;

		if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0)
			break;
		/*
		 * An explicit source address and port: the kernel's search for
		 * a free ephemeral port is slow when many are in TIME_WAIT.
		 */
		src.sin_family = AF_INET;
		src.sin_addr.s_addr = htonl(0x7f000000u | (0x0a0000u +
		    (unsigned)(getpid() & 0xff) * 256));
		for (p = 20000 + i; p < 65000; p += 997) {
			src.sin_port = htons((unsigned short)p);
			if (bind(fd, (struct sockaddr *)&src, sizeof(src)) == 0)
				break;
		}
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
			close(fd);
			break;
		}
		ok++;
	}
	printf("%d connected\n", ok);
	fflush(stdout);
	if (ok == n)
		close(open(argv[4], O_WRONLY | O_CREAT, 0644));
	sleep((unsigned)secs);
	return ok == n ? 0 : 1;
}
