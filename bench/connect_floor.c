/*
 * The floor under Airlock's brokered connect, in C: what one connect costs when a second process
 * makes the socket, connects it and hands the descriptor back (bench/floor.h), with no JVM,
 * policy or option copying on either side. The request is the port; the direct figure is a plain
 * socket()+connect()+close() to 127.0.0.1:PORT.
 *
 *   gcc -O2 -o connect_floor bench/connect_floor.c
 *   ./connect_floor PORT ITERATIONS
 *
 * Prints one line: direct_connect_close_us=D brokered_connect_close_us=B ratio=B/D. Something
 * must listen on 127.0.0.1:PORT (bench/run.sh starts bench/NetBench).
 */
#include "floor.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>

/* A TCP socket connected to 127.0.0.1 at the port the request holds (two bytes), or -errno. */
static int connected(const char *request, size_t length) {
    uint16_t port;
    if (length != sizeof port) {
        return -EINVAL;
    }
    memcpy(&port, request, sizeof port);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return -errno;
    }
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(port)};
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *) &to, sizeof to) != 0) {
        int e = errno;
        close(fd);
        return -e;
    }
    return fd;
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s PORT ITERATIONS\n", argv[0]);
        return 2;
    }
    char *end;
    long port = strtol(argv[1], &end, 10);
    if (*end != '\0' || port <= 0 || port > 65535) {
        fprintf(stderr, "PORT must be a port number, not %s\n", argv[1]);
        return 2;
    }
    uint16_t request = (uint16_t) port;
    return floor_run(connected, (const char *) &request, sizeof request, floor_iterations(argv[2]), "connect_close");
}
