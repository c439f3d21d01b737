/*
 * What bench/fdpass_floor.c and bench/connect_floor.c share: the C floor under one of Airlock's
 * brokered calls, with no JVM, policy or decision on either side.
 *
 * A client and a broker process share an AF_UNIX SOCK_SEQPACKET socketpair, as Airlock's helper
 * and broker do. Per iteration the client sends one request packet, the broker acts on it (a
 * floor's `act`: opens a file, connects a socket) and replies with a one-byte status packet that
 * carries the descriptor as SCM_RIGHTS, and the client closes what it received. The same run
 * also times `act` and close() in one process, so both figures come from the same machine state.
 *
 * floor_run() prints one line: direct_LABEL_us=D brokered_LABEL_us=B ratio=B/D (microseconds
 * per iteration), which bench/run.sh reads.
 */
#ifndef AIRLOCK_BENCH_FLOOR_H
#define AIRLOCK_BENCH_FLOOR_H

#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* The largest request packet: a path and its terminating NUL. */
#define FLOOR_REQUEST_MAX PATH_MAX

/* A floor's action on one request (NUL-terminated after its length): a descriptor, or -errno. */
typedef int (*floor_act)(const char *request, size_t length);

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

/* ITERATIONS from the command line, or exit 2. */
static long floor_iterations(const char *text) {
    char *end;
    long iterations = strtol(text, &end, 10);
    if (*end != '\0' || iterations <= 0) {
        fprintf(stderr, "ITERATIONS must be a positive number, not %s\n", text);
        exit(2);
    }
    return iterations;
}

/* The broker's side: answers each request with what `act` made until the client hangs up. */
static void floor_serve(int sock, floor_act act) {
    char request[FLOOR_REQUEST_MAX + 1];
    for (;;) {
        ssize_t n = recv(sock, request, FLOOR_REQUEST_MAX, 0);
        if (n == 0) {
            return; /* the client closed its end: done */
        }
        if (n < 0) {
            die("broker recv");
        }
        request[n] = '\0';
        int fd = act(request, (size_t) n);
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

/* The client's side of one brokered call: send the request, receive the descriptor, close it. */
static void floor_brokered(int sock, const char *request, size_t length, const char *what) {
    if (send(sock, request, length, 0) != (ssize_t) length) {
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
        die(what);
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

/* The same call made in this process: act, then close. */
static void floor_direct(floor_act act, const char *request, size_t length, const char *what) {
    int fd = act(request, length);
    if (fd < 0) {
        errno = -fd;
        die(what);
    }
    close(fd);
}

/* Times `act` direct and brokered, ITERATIONS each after a tenth as warm-up, and prints the line. */
static int floor_run(floor_act act, const char *request, size_t length, long iterations, const char *label) {
    long warmup = iterations / 10 + 1;
    for (long i = 0; i < warmup; i++) {
        floor_direct(act, request, length, label);
    }
    double start = now_us();
    for (long i = 0; i < iterations; i++) {
        floor_direct(act, request, length, label);
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
        floor_serve(pair[1], act);
        _exit(0);
    }
    close(pair[1]);
    for (long i = 0; i < warmup; i++) {
        floor_brokered(pair[0], request, length, label);
    }
    start = now_us();
    for (long i = 0; i < iterations; i++) {
        floor_brokered(pair[0], request, length, label);
    }
    double brokered = (now_us() - start) / iterations;
    close(pair[0]);
    int status;
    if (waitpid(broker, &status, 0) != broker || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "the broker process did not exit cleanly\n");
        return 1;
    }
    printf("direct_%s_us=%.3f brokered_%s_us=%.3f ratio=%.2f\n", label, direct, label, brokered, brokered / direct);
    return 0;
}

#endif
