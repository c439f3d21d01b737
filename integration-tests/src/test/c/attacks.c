/*
 * The native half of the attack tests: what hostile JNI code inside the helper can do. Only raw
 * system calls and memory access are exposed (dev.airlock.it.app.Native); every attack is written
 * once in Java on top of them (dev.airlock.it.app.Attack), so that the same attack also runs
 * through the FFM API on JDK 25. The test process loads the same library for its outside
 * witnesses (sockets Java cannot make, SysV IPC, ioprio_get).
 *
 * Built by the integration tests with: gcc -shared -fPIC -O1 -I$JAVA_HOME/include{,/linux}.
 */
#include <jni.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/wait.h>

/* Any system call with up to six arguments; the result, or -errno on failure. */
JNIEXPORT jlong JNICALL Java_dev_airlock_it_app_Native_syscall6(JNIEnv *env, jclass cls, jlong nr,
        jlong a, jlong b, jlong c, jlong d, jlong e, jlong f) {
    (void) env;
    (void) cls;
    errno = 0;
    long r = syscall((long) nr, (long) a, (long) b, (long) c, (long) d, (long) e, (long) f);
    return r == -1 ? -(jlong) errno : (jlong) r;
}

JNIEXPORT jlong JNICALL Java_dev_airlock_it_app_Native_malloc(JNIEnv *env, jclass cls, jint size) {
    (void) env;
    (void) cls;
    void *p = calloc(1, (size_t) size);
    return (jlong) (long) p;
}

JNIEXPORT void JNICALL Java_dev_airlock_it_app_Native_free(JNIEnv *env, jclass cls, jlong address) {
    (void) env;
    (void) cls;
    free((void *) (long) address);
}

JNIEXPORT void JNICALL Java_dev_airlock_it_app_Native_put(JNIEnv *env, jclass cls, jlong address, jbyteArray bytes) {
    (void) cls;
    jsize n = (*env)->GetArrayLength(env, bytes);
    (*env)->GetByteArrayRegion(env, bytes, 0, n, (jbyte *) (long) address);
}

JNIEXPORT jbyteArray JNICALL Java_dev_airlock_it_app_Native_get(JNIEnv *env, jclass cls, jlong address, jint length) {
    (void) cls;
    jbyteArray out = (*env)->NewByteArray(env, length);
    if (out != NULL) {
        (*env)->SetByteArrayRegion(env, out, 0, length, (const jbyte *) (long) address);
    }
    return out;
}

static void sleep_then_exit(int seconds) {
    struct timespec t = {seconds, 0};
    while (nanosleep(&t, &t) != 0 && errno == EINTR) {
    }
    _exit(0);
}

/*
 * A process the program leaves behind: forks a child that sleeps for `seconds`; with `detach`,
 * the child starts a new session and forks again (a daemon), so the sleeper is a grandchild whose
 * parent is gone. Returns the sleeper's pid, or -errno. Only async-signal-safe calls after fork.
 */
JNIEXPORT jlong JNICALL Java_dev_airlock_it_app_Native_leaveSleeper(JNIEnv *env, jclass cls, jint seconds, jboolean detach) {
    (void) env;
    (void) cls;
    int pipefd[2];
    if (pipe(pipefd) != 0) {
        return -(jlong) errno;
    }
    pid_t child = fork();
    if (child < 0) {
        int saved = errno;
        close(pipefd[0]);
        close(pipefd[1]);
        return -(jlong) saved;
    }
    if (child == 0) {
        close(pipefd[0]);
        pid_t sleeper = getpid();
        if (detach) {
            setsid();
            sleeper = fork();
            if (sleeper > 0) {
                (void) !write(pipefd[1], &sleeper, sizeof sleeper);
                _exit(0);
            }
            if (sleeper < 0) {
                _exit(1);
            }
            sleeper = getpid();
        } else {
            (void) !write(pipefd[1], &sleeper, sizeof sleeper);
        }
        close(pipefd[1]);
        sleep_then_exit(seconds);
    }
    close(pipefd[1]);
    pid_t sleeper = -1;
    ssize_t n = read(pipefd[0], &sleeper, sizeof sleeper);
    close(pipefd[0]);
    if (detach) {
        int status;
        (void) waitpid(child, &status, 0);
    }
    return n == (ssize_t) sizeof sleeper ? (jlong) sleeper : -(jlong) ECHILD;
}
