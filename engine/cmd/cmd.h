/*
 * cmd.h - the verbs of the vroeg command that have no header of their own.
 */
#ifndef VR_CMD_H
#define VR_CMD_H

#include <stddef.h>

int run_main(int argc, char **argv);       /* run.c */
int demo_main(int argc, char **argv);      /* demo.c */
int dev_kafka_main(int argc, char **argv); /* dev_kafka.c */
int queue_main(int argc, char **argv);     /* queue_cli.c */
int outcome_main(int argc, char **argv);   /* queue_cli.c */

struct kafka_dev;
/* The demo's topics: the partner topics with partitions each, signals.dlq
 * and feedback.<type> (demo.c). */
int demo_create_topics(struct kafka_dev *d, int partitions, char *err, size_t n);

#endif
