/* pseudo_cli.h - the `vroeg pseudo` verb. */
#ifndef VR_PSEUDO_CLI_H
#define VR_PSEUDO_CLI_H

/* argv[0] is "pseudo".  Returns the exit code. */
int pseudo_main(int argc, char **argv);

#endif
