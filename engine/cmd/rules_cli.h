/* rules_cli.h - the `vroeg rules` verb. */
#ifndef VR_RULES_CLI_H
#define VR_RULES_CLI_H

/* argv[0] is "rules".  Returns the exit code: 0 all files clean, 1 errors, 2 usage. */
int rules_main(int argc, char **argv);

#endif
