/* cmd_index.h - the commands that GET one entry's resource by its index. */
#ifndef CMD_INDEX_H
#define CMD_INDEX_H

/*
 * Parse --server URL [--cacert FILE] INDEX (usage: help), GET
 * ROUTE/INDEX with Accept: accept (NULL: none) and write the body to
 * stdout. The exit status: 0; 1 for an unknown index (404); else
 * cmd_exit_for's. Exits 2 on a usage error.
 */
int	cmd_index(int argc, char **argv, const char *help, const char *route,
	    const char *accept);

#endif /* CMD_INDEX_H */
