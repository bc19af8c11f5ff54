/*
 * bare_parse.c - the peer of `vroeg replay` in bench/replay.sh: read lines
 * and cJSON-parse and free each one, nothing else.  Prints the line count.
 */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	FILE *f = argc > 1 ? fopen(argv[1], "r") : stdin;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	long lines = 0, objects = 0;

	if (!f) {
		perror(argv[1]);
		return 1;
	}
	while ((n = getline(&line, &cap, f)) > 0) {
		cJSON *o = cJSON_ParseWithLength(line, (size_t)n);
		objects += cJSON_IsObject(o);
		cJSON_Delete(o);
		lines++;
	}
	free(line);
	printf("%ld lines, %ld objects\n", lines, objects);
	return 0;
}
