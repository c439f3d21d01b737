/*
 * The floor under Airlock's brokered open, in C: what one open costs when a second process opens
 * the file and hands the descriptor back, with no JVM, policy or path resolution on either side.
 *
 * A client and a broker process share an AF_UNIX SOCK_SEQPACKET socketpair, as Airlock's helper
 * and broker do (its fd 3). Per iteration the client sends the path as one packet, the broker
 * open()s it and replies with a one-byte packet carrying the descriptor as SCM_RIGHTS, and the
 * client closes what it received. The same run also times a plain open()+close() in one process,
 * so both figures come from the same machine state.
 *
 *   gcc -O2 -o fdpass_floor bench/fdpass_floor.c
 *   ./fdpass_floor FILE ITERATIONS
 *
 * Prints one line: direct_open_close_us=D brokered_open_close_us=B ratio=B/D (microseconds per
 * iteration). bench/run.sh compares Airlock's brokered open with B from a run made beside it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
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

/* The broker's side: answers each path packet with the opened descriptor until the client hangs up. */
static void serve(int sock) {
    char path[PATH_MAX];
    for (;;) {
        ssize_t n = recv(sock, path, sizeof path - 1, 0);
        if (n == 0) {
            return; /* the client closed its end: done */
        }
        if (n < 0) {
            die("broker recv");
        }
        path[n] = '\0';
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        char status = fd < 0 ? (char) errno : 0;
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

/* The client's side of one brokered open: send the path, receive the descriptor, close it. */
static void brokered_open_close(int sock, const char *path, size_t length) {
    if (send(sock, path, length, 0) != (ssize_t) length) {
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
        die("broker open");
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

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s FILE ITERATIONS\n", argv[0]);
        return 2;
    }
    const char *path = argv[1];
    size_t length = strlen(path);
    char *end;
    long iterations = strtol(argv[2], &end, 10);
    if (*end != '\0' || iterations <= 0) {
        fprintf(stderr, "ITERATIONS must be a positive number, not %s\n", argv[2]);
        return 2;
    }
    if (length == 0 || length >= PATH_MAX) {
        fprintf(stderr, "FILE must be a path shorter than %d bytes\n", PATH_MAX);
        return 2;
    }
    long warmup = iterations / 10 + 1;

    for (long i = 0; i < warmup; i++) {
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            die(path);
        }
        close(fd);
    }
    double start = now_us();
    for (long i = 0; i < iterations; i++) {
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            die(path);
        }
        close(fd);
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
        brokered_open_close(pair[0], path, length);
    }
    start = now_us();
    for (long i = 0; i < iterations; i++) {
        brokered_open_close(pair[0], path, length);
    }
    double brokered = (now_us() - start) / iterations;
    close(pair[0]);
    int status;
    if (waitpid(broker, &status, 0) != broker || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "the broker process did not exit cleanly\n");
        return 1;
    }

    printf("direct_open_close_us=%.3f brokered_open_close_us=%.3f ratio=%.2f\n", direct, brokered,
           brokered / direct);
    return 0;
}
