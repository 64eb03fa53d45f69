/* api.h - the write routes (submit, admin) and the checkpoint. */
#ifndef API_H
#define API_H

#include "ledgerd.h"

struct httpd_req;

/*
 * The handlers of route.c's table (event-loop thread). A submission's
 * body goes to the parser thread, an admin call's job to the sequencer;
 * either is answered through the job's completion (api.c, api_done).
 */
void	api_submit(struct ledgerd *, struct httpd_req *, const char *path);
void	api_issuers(struct ledgerd *, struct httpd_req *, const char *path);
void	api_methods(struct ledgerd *, struct httpd_req *, const char *path);
void	api_checkpoint(struct ledgerd *, struct httpd_req *, const char *path);
/* Reply with an error now (loop thread only). */
void	api_fail(struct httpd_req *, int json, int ld_err, const char *rule,
	    long pos, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

#endif /* API_H */
