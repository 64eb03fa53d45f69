/* input.h - the ledger submit input formats: JSON Lines and CSV. */
/*
 * One line at a time. JSON Lines: one entry object per line (form.h).
 * CSV (credits only): a header row naming the columns with the JSON field
 * names (account, method, units, grams, time or day, dedup, evidence),
 * then one credit per row; no quoting. The first non-empty line decides:
 * "{" starts JSON Lines, anything else is a CSV header.
 */
#ifndef INPUT_H
#define INPUT_H

#include <stddef.h>

#include "entry.h"

struct input {
	int	  started;
	int	  csv;
	char	**cols;
	int	  ncols;
};

/*
 * Parse one line (NUL-terminated, without its newline; the buffer may be
 * modified). Returns 1 with *s filled for an entry, 0 for a blank or
 * header line, or LD_EINVAL with a reason in *why.
 */
int	input_line(struct input *in, char *line, size_t len, struct entry_sub *s,
	    const char **why);
void	input_free(struct input *in);

#endif /* INPUT_H */
