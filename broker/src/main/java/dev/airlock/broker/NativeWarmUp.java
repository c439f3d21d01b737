package dev.airlock.broker;

import dev.airlock.ipc.Linux;
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
    private static volatile CompletableFuture<Path> started;

    private NativeWarmUp() {
    }

    static void start() {
        started = CompletableFuture.supplyAsync(() -> {
            try {
                Path jffi = RuntimeFiles.jffiDirectory(RuntimeFiles.cacheRoot());
                System.setProperty("jffi.boot.library.path", jffi.toString());
                Linux.load();
                return jffi;
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, runnable -> {
            Thread thread = new Thread(runnable, "airlock-native-warm-up");
            thread.setDaemon(true);
            thread.start();
        });
    }

    /** Waits for the warm-up (starting it if nobody did) and returns jffi's stub directory. */
    static Path await() throws java.io.IOException {
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
