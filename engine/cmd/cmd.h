/*
 * cmd.h - the verbs of the vroeg command that have no header of their own.
 */
#ifndef VR_CMD_H
#define VR_CMD_H

int run_main(int argc, char **argv);       /* run.c */
int demo_main(int argc, char **argv);      /* demo.c */
int dev_kafka_main(int argc, char **argv); /* demo.c */

#endif
