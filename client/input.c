/* input.c - the ledger submit input formats: JSON Lines and CSV. */
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "form.h"
#include "input.h"
#include "json.h"
#include "u64.h"
#include "xmalloc.h"

#define CSV_MAX_COLS	16

static const char *const csv_names[] = { "kind", "account", "method",
    "units", "grams", "time", "day", "dedup", "evidence", NULL };

static int
csv_header(struct input *in, char *line, const char **why)
{
	char	*p, *save = NULL;
	int	 i, j;

	for (p = strtok_r(line, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
		for (i = 0; csv_names[i] != NULL; i++)
			if (strcmp(csv_names[i], p) == 0)
				break;
		if (csv_names[i] == NULL || in->ncols == CSV_MAX_COLS) {
			*why = "CSV header: columns are account, method, "
			    "units, grams, time (or day), dedup, evidence";
			return LD_EINVAL;
		}
		for (j = 0; j < in->ncols; j++)
			if (strcmp(in->cols[j], p) == 0) {
				*why = "CSV header: a column is repeated";
				return LD_EINVAL;
			}
		in->cols = xreallocarray(in->cols, (size_t)in->ncols + 1,
		    sizeof(char *));
		in->cols[in->ncols++] = xstrdup(p);
	}
	if (in->ncols == 0) {
		*why = "CSV header is empty";
		return LD_EINVAL;
	}
	return LD_OK;
}

/* Parse one CSV row of credits against the header's columns. */
static int
csv_row(struct input *in, char *line, struct entry_sub *s, const char **why)
{
	struct json	*o = json_obj();
	char		*p = line, *comma;
	uint64_t	 v;
	int		 i, rc = LD_EINVAL;

	json_set(o, "kind", json_str("credit"));
	for (i = 0; i < in->ncols; i++) {
		comma = strchr(p, ',');
		if ((comma == NULL) != (i == in->ncols - 1)) {
			*why = "wrong number of columns";
			goto done;
		}
		if (comma)
			*comma = '\0';
		if (strchr(p, '"') != NULL) {
			*why = "quoted CSV fields are not supported";
			goto done;
		}
		if (strcmp(in->cols[i], "kind") == 0) {
			if (strcmp(p, "credit") != 0) {
				*why = "CSV rows are credits only";
				goto done;
			}
		} else if (strcmp(in->cols[i], "units") == 0 ||
		    strcmp(in->cols[i], "grams") == 0) {
			if (u64_parse(p, strlen(p), &v) != LD_OK) {
				*why = "units and grams must be unsigned "
				    "integers";
				goto done;
			}
			json_set(o, in->cols[i], json_u64(v));
		} else if (*p != '\0' || strcmp(in->cols[i], "evidence") != 0)
			json_set(o, in->cols[i], json_str(p));
		p = comma ? comma + 1 : p;
	}
	rc = form_sub_from_json(o, s, why);
done:
	json_free(o);
	return rc;
}

int
input_line(struct input *in, char *line, size_t len, struct entry_sub *s,
    const char **why)
{
	static _Thread_local char	err[192];
	struct json			*doc;
	int				 rc;

	if (len == 0)
		return 0;
	if (memchr(line, '\0', len) != NULL) {
		*why = "the line contains a NUL byte";
		return LD_EINVAL;
	}
	if (!in->started) {
		in->started = 1;
		if (line[0] != '{') {
			in->csv = 1;
			return csv_header(in, line, why) == LD_OK ? 0 :
			    LD_EINVAL;
		}
	}
	if (in->csv)
		return csv_row(in, line, s, why) == LD_OK ? 1 : LD_EINVAL;
	if (json_parse(line, len, &doc, err, sizeof(err)) != LD_OK) {
		*why = err;
		return LD_EINVAL;
	}
	rc = form_sub_from_json(doc, s, why);
	json_free(doc);
	return rc == LD_OK ? 1 : LD_EINVAL;
}

void
input_free(struct input *in)
{
	int	i;

	for (i = 0; i < in->ncols; i++)
		free(in->cols[i]);
	free(in->cols);
	memset(in, 0, sizeof(*in));
}
