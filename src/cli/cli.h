/*
 * cli.h - shared pieces of the command-line subcommands.
 *
 * Exit codes: 0 success (or "yes"), 1 a negative answer or a failed check,
 * 2 bad usage.  Messages for people are Chinese; option names are English.
 */
#ifndef BH_CLI_H
#define BH_CLI_H

#include <jansson.h>
#include <stdbool.h>

#define CLI_EXIT_OK 0
#define CLI_EXIT_NO 1
#define CLI_EXIT_USAGE 2

/* Print "bihuan CMD: message" and the usage text to stderr; returns 2. */
int cli_usage_error(const char *cmd, const char *usage, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Parse a whole decimal integer within [min, max]. */
/* The subcommand argv[1] of 'cmd': one of subs (NULL-terminated), or
 * help.  Returns -1 when the caller goes on with it, else the exit code
 * (usage printed).  Resets getopt for argv + 1. */
int cli_subcommand(int argc, char **argv, const char *cmd, const char *usage,
                   const char *const *subs);

/* cli_subcommand for a subcommand whose one option is --db PATH (set in
 * *db; its absence is a usage error). */
int cli_subcommand_db(int argc, char **argv, const char *cmd, const char *usage,
                      const char *const *subs, const char **db);

bool cli_parse_int(const char *s, long min, long max, long *out);

/* Parse a whole finite decimal number within [min, max]. */
bool cli_parse_double(const char *s, double min, double max, double *out);

/* Print a JSON value to stdout on one line, then a newline; steals 'v'. */
void cli_print_json(json_t *v);

/* A progress bar on stderr ("label [####    ]  42% tail"); a fraction of
 * 1 ends the line. */
void cli_progress(const char *label, double fraction, const char *tail);

int cmd_calendar(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_init(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_apikey(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_categories(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_patrol(int argc, char **argv);
int cmd_notify(int argc, char **argv);
int cmd_backup(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_target(int argc, char **argv);  /* cmd_target.c */
int cmd_project(int argc, char **argv); /* cmd_target.c */

#endif
