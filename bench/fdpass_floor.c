/*
 * The floor under Airlock's brokered open, in C: what one open costs when a second process opens
 * the file and hands the descriptor back (bench/floor.h), with no JVM, policy or path resolution
 * on either side. The request is the path; the direct figure is a plain open()+close().
 *
 *   gcc -O2 -o fdpass_floor bench/fdpass_floor.c
 *   ./fdpass_floor FILE ITERATIONS
 *
 * Prints one line: direct_open_close_us=D brokered_open_close_us=B ratio=B/D. bench/run.sh
 * compares Airlock's brokered open with B from a run made beside it.
 */
#include "floor.h"

#include <fcntl.h>

static int open_read(const char *path, size_t length) {
    (void) length;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    return fd < 0 ? -errno : fd;
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s FILE ITERATIONS\n", argv[0]);
        return 2;
    }
    const char *path = argv[1];
    size_t length = strlen(path);
    if (length == 0 || length >= FLOOR_REQUEST_MAX) {
        fprintf(stderr, "FILE must be a path shorter than %d bytes\n", FLOOR_REQUEST_MAX);
        return 2;
    }
    return floor_run(open_read, path, length, floor_iterations(argv[2]), "open_close");
}
