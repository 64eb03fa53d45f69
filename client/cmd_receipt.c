/* cmd_receipt.c - ledger receipt: an entry's receipt by its index. */
#include "cmd.h"
#include "cmd_index.h"

int
cmd_receipt(int argc, char **argv)
{
	return cmd_index(argc, argv,
	    "usage: ledger receipt --server URL INDEX > r.tlog-proof\n"
	    CMD_HELP_TLS,
	    "/v1/receipt", NULL);
}
