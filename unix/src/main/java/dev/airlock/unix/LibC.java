package dev.airlock.unix;

import jnr.ffi.Pointer;
import jnr.ffi.annotations.In;
import jnr.ffi.byref.IntByReference;

/**
 * The libc functions Airlock calls, bound through jnr-ffi. Public only because jnr-ffi generates
 * its implementation in another class loader; nothing outside this package uses it, and
 * {@link Linux} alone binds it.
 *
 * <p>Airlock binds this small interface instead of JNR-POSIX's full one: binding a few dozen
 * functions costs a fraction of the start-up that binding JNR-POSIX's hundreds does, and every
 * native call then stays in this one module.
 *
 * <p>Paths are passed as NUL-terminated UTF-8 {@code byte[]} that {@link Linux} builds itself
 * ({@code @In}: copied to native memory, never back): jnr-ffi would encode a {@code String} in the
 * JVM's default charset, which under a C locale is ASCII and turns every other character into
 * {@code ?}, so that the call would act on another name than the one the policy decided.
 */
public interface LibC {
    int close(int fd);

    int fcntl(int fd, int cmd, int arg);

    int open(String path, int flags, int mode);

    int fstat(int fd, Pointer stat);

    long readlinkat(int dirfd, @In byte[] path, Pointer buffer, long size);

    int mkdirat(int dirfd, @In byte[] path, int mode);

    int unlinkat(int dirfd, @In byte[] path, int flags);

    int renameat2(int oldDirfd, @In byte[] oldPath, int newDirfd, @In byte[] newPath, int flags);

    int linkat(int oldDirfd, @In byte[] oldPath, int newDirfd, @In byte[] newPath, int flags);

    int symlinkat(@In byte[] target, int newDirfd, @In byte[] linkPath);

    int chmod(@In byte[] path, int mode);

    int fchown(int fd, int owner, int group);

    int utimensat(int dirfd, @In byte[] path, Pointer times, int flags);

    long read(int fd, Pointer buffer, long size);

    Pointer realpath(@In byte[] path, Pointer resolved);

    long syscall(long number, long a1, long a2, long a3, long a4, long a5, long a6);

    int prctl(int option, long a2, long a3, long a4, long a5);

    int posix_spawn(
            IntByReference pid, String path, Pointer fileActions, Pointer attributes, Pointer argv, Pointer envp);

    int posix_spawn_file_actions_init(Pointer fileActions);

    int posix_spawn_file_actions_adddup2(Pointer fileActions, int fd, int newfd);

    int posix_spawn_file_actions_addclosefrom_np(Pointer fileActions, int from);

    int posix_spawnattr_init(Pointer attributes);

    int posix_spawnattr_setflags(Pointer attributes, short flags);

    int posix_spawnattr_setsigmask(Pointer attributes, Pointer sigset);

    int posix_spawnattr_setsigdefault(Pointer attributes, Pointer sigset);

    int sigemptyset(Pointer sigset);

    int sigfillset(Pointer sigset);

    int waitpid(int pid, IntByReference status, int options);

    int execve(@In byte[] path, Pointer argv, Pointer envp);

    int sigprocmask(int how, Pointer set, Pointer oldSet);

    int kill(int pid, int signal);

    int getpid();

    int getppid();

    int getuid();

    int getgid();

    String strerror(int errno);
}
