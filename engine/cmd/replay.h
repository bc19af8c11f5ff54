/*
 * replay.h - `vroeg replay`: decide historic signals deterministically.
 */
#ifndef VR_REPLAY_H
#define VR_REPLAY_H

/* argv[0] is "replay".  Returns the process exit code (0, 1 failure, 2 usage). */
int replay_main(int argc, char **argv);

#endif
