package dev.airlock.broker;

import dev.airlock.ipc.StartupTimeline;
import dev.airlock.unix.Linux;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Binds libc on a background thread as soon as {@code airlock run} starts: jnr-ffi takes a few
 * hundred milliseconds to bind, which then overlaps with parsing the command line and the policy
 * instead of adding to them. jffi is pointed at its native stub in Airlock's cache first, so it
 * never extracts one into a temporary directory.
 */
final class NativeWarmUp {
    /** Airlock's cache directory and, in it, jffi's stub directory: found once, used by the whole run. */
    record Prepared(Path cache, Path jffi) {}

    private static volatile CompletableFuture<Prepared> started;

    private NativeWarmUp() {}

    static void start() {
        started = CompletableFuture.supplyAsync(
                () -> {
                    try {
                        Path cache = RuntimeFiles.cacheRoot();
                        Path jffi = RuntimeFiles.jffiDirectory(cache);
                        System.setProperty("jffi.boot.library.path", jffi.toString());
                        Linux.load();
                        StartupTimeline.mark("libc-bound");
                        return new Prepared(cache, jffi);
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                },
                runnable -> {
                    Thread thread = new Thread(runnable, "airlock-native-warm-up");
                    thread.setDaemon(true);
                    thread.start();
                });
    }

    /** Waits for the warm-up (starting it if nobody did) and returns the directories it prepared. */
    static Prepared await() throws java.io.IOException {
        if (started == null) {
            start();
        }
        try {
            return started.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof java.io.UncheckedIOException io) {
                throw io.getCause();
            }
            throw new java.io.IOException("cannot bind libc: " + cause, cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while binding libc");
        }
    }
}
