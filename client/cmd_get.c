/* cmd_get.c - ledger get: an entry by its index, as JSON. */
#include "cmd.h"
#include "cmd_index.h"

int
cmd_get(int argc, char **argv)
{
	return cmd_index(argc, argv,
	    "usage: ledger get --server URL INDEX\n" CMD_HELP_TLS, "/v1/entries",
	    "application/json");
}
