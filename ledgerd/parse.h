/* parse.h - submission bodies parsed off the event loop. */
/*
 * Parsing the largest allowed body takes far longer than a request may
 * hold the event loop (a 32 MiB JSON body: over a second in Jansson), so
 * api.c only checks the headers and hands the body over, uncopied; one
 * parser thread decodes it (msgpack or JSON, within the pre-pass bounds
 * of codec.c and json.c), then queues the batch on the sequencer or
 * refuses it through the job's completion callback.
 */
#ifndef PARSE_H
#define PARSE_H

#include "core.h"
#include "ledgerd.h"

struct httpd_body;

int	parser_start(struct ledgerd *, struct parser **);
/*
 * Queue a submission: its body (taken over), whether the body is JSON,
 * and the job's completion (called with the refusal if the body does not
 * parse or the queue is full). Never fails: bodies in the queue are
 * bounded by the bytes held for unanswered requests (--max-buffered).
 */
void	parser_push(struct parser *, struct httpd_body *, int body_json,
	    core_done_fn *done, void *arg);
/* Nothing queued and nothing being parsed. */
int	parser_idle(struct parser *);
/* Parse what is queued, then stop and join the thread. */
void	parser_stop(struct parser *);

#endif /* PARSE_H */
