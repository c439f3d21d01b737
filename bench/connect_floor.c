/*
 * The floor under Airlock's brokered connect, in C: what one connect costs when a second process
 * makes the socket, connects it and hands the descriptor back, with no JVM, policy or option
 * copying on either side (the shape of bench/fdpass_floor.c, for sockets).
 *
 * A client and a broker process share an AF_UNIX SOCK_SEQPACKET socketpair, as Airlock's helper
 * and broker do. Per iteration the client sends the port as one packet, the broker makes a TCP
 * socket, connects it to 127.0.0.1:PORT and replies with a one-byte packet carrying it as
 * SCM_RIGHTS, and the client closes what it received. The same run also times a plain
 * socket()+connect()+close() in one process, so both figures come from the same machine state.
 *
 *   gcc -O2 -o connect_floor bench/connect_floor.c
 *   ./connect_floor PORT ITERATIONS
 *
 * Prints one line: direct_connect_close_us=D brokered_connect_close_us=B ratio=B/D (microseconds
 * per iteration). Something must listen on 127.0.0.1:PORT (bench/run.sh starts bench/NetBench).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void die(const char *what) {
    perror(what);
    exit(1);
}

static double now_us(void) {
    struct timespec t;
    if (clock_gettime(CLOCK_MONOTONIC, &t) != 0) {
        die("clock_gettime");
    }
    return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

/* A TCP socket connected to 127.0.0.1:port, or -errno. */
static int connected(uint16_t port) {
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

/* The broker's side: answers each port packet with a connected descriptor until the client hangs up. */
static void serve(int sock) {
    for (;;) {
        uint16_t port;
        ssize_t n = recv(sock, &port, sizeof port, 0);
        if (n == 0) {
            return; /* the client closed its end: done */
        }
        if (n != sizeof port) {
            die("broker recv");
        }
        int fd = connected(port);
        char status = fd < 0 ? (char) -fd : 0;
        struct iovec iov = {.iov_base = &status, .iov_len = 1};
        union {
            struct cmsghdr header;
            char space[CMSG_SPACE(sizeof(int))];
        } control;
        memset(&control, 0, sizeof control);
        struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
        if (fd >= 0) {
            msg.msg_control = control.space;
            msg.msg_controllen = sizeof control.space;
            struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
            c->cmsg_level = SOL_SOCKET;
            c->cmsg_type = SCM_RIGHTS;
            c->cmsg_len = CMSG_LEN(sizeof(int));
            memcpy(CMSG_DATA(c), &fd, sizeof(int));
        }
        if (sendmsg(sock, &msg, 0) != 1) {
            die("broker sendmsg");
        }
        if (fd >= 0) {
            close(fd);
        }
    }
}

/* The client's side of one brokered connect: send the port, receive the descriptor, close it. */
static void brokered_connect_close(int sock, uint16_t port) {
    if (send(sock, &port, sizeof port, 0) != (ssize_t) sizeof port) {
        die("client send");
    }
    char status;
    struct iovec iov = {.iov_base = &status, .iov_len = 1};
    union {
        struct cmsghdr header;
        char space[CMSG_SPACE(sizeof(int))];
    } control;
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.space,
                         .msg_controllen = sizeof control.space};
    if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) != 1) {
        die("client recvmsg");
    }
    if (status != 0) {
        errno = status;
        die("broker connect");
    }
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    if (c == NULL || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS
            || c->cmsg_len != CMSG_LEN(sizeof(int)) || (msg.msg_flags & MSG_CTRUNC)) {
        fprintf(stderr, "client recvmsg: no descriptor in the reply\n");
        exit(1);
    }
    int fd;
    memcpy(&fd, CMSG_DATA(c), sizeof(int));
    close(fd);
}

static void direct_connect_close(uint16_t port) {
    int fd = connected(port);
    if (fd < 0) {
        errno = -fd;
        die("connect");
    }
    close(fd);
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
    long iterations = strtol(argv[2], &end, 10);
    if (*end != '\0' || iterations <= 0) {
        fprintf(stderr, "ITERATIONS must be a positive number, not %s\n", argv[2]);
        return 2;
    }
    long warmup = iterations / 10 + 1;

    for (long i = 0; i < warmup; i++) {
        direct_connect_close((uint16_t) port);
    }
    double start = now_us();
    for (long i = 0; i < iterations; i++) {
        direct_connect_close((uint16_t) port);
    }
    double direct = (now_us() - start) / iterations;

    int pair[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) != 0) {
        die("socketpair");
    }
    pid_t broker = fork();
    if (broker < 0) {
        die("fork");
    }
    if (broker == 0) {
        close(pair[0]);
        serve(pair[1]);
        _exit(0);
    }
    close(pair[1]);
    for (long i = 0; i < warmup; i++) {
        brokered_connect_close(pair[0], (uint16_t) port);
    }
    start = now_us();
    for (long i = 0; i < iterations; i++) {
        brokered_connect_close(pair[0], (uint16_t) port);
    }
    double brokered = (now_us() - start) / iterations;
    close(pair[0]);
    int status;
    if (waitpid(broker, &status, 0) != broker || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "the broker process did not exit cleanly\n");
        return 1;
    }

    printf("direct_connect_close_us=%.3f brokered_connect_close_us=%.3f ratio=%.2f\n", direct, brokered,
           brokered / direct);
    return 0;
}
