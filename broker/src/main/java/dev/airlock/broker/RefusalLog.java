package dev.airlock.broker;

import java.io.PrintStream;
import java.util.function.LongSupplier;

/**
 * The broker's lines about requests it refused or failed on, bounded: the confined program
 * decides how many requests it sends, and must not be able to fill the operator's terminal or
 * log, nor slow the broker down writing them. The first {@link #BURST} lines are written as
 * they come; after that at most one per {@link #INTERVAL_NANOS}, and the lines in between are
 * counted, not written. The count is reported as {@code airlock: suppressed K refused-request
 * messages} just before the next line that is written, and at the end of the run ({@link
 * #finish}), so nothing is lost silently.
 *
 * <p>Thread-safe (the lines may come from more than one thread of the broker).
 */
final class RefusalLog {
    /** Lines written before the rate limit starts: enough to see what went wrong. */
    static final int BURST = 20;

    /** After the burst, at most one line per second. */
    static final long INTERVAL_NANOS = 1_000_000_000L;

    private final PrintStream out;
    private final LongSupplier nanoClock;
    private long written;
    private long lastWritten;
    private long suppressed;

    /** {@code nanoClock}: a monotonic clock in nanoseconds, {@code System::nanoTime} outside tests. */
    RefusalLog(PrintStream out, LongSupplier nanoClock) {
        this.out = out;
        this.nanoClock = nanoClock;
    }

    /** Writes {@code line}, or counts it when the bound is reached. */
    synchronized void println(String line) {
        long now = nanoClock.getAsLong();
        if (written >= BURST && now - lastWritten < INTERVAL_NANOS) {
            suppressed++;
            return;
        }
        reportSuppressed();
        out.println(line);
        written++;
        lastWritten = now;
    }

    /** At the end of the run: reports what was suppressed since the last line written. */
    synchronized void finish() {
        reportSuppressed();
        out.flush();
    }

    /** How many lines are counted and not yet reported; for tests. */
    synchronized long suppressed() {
        return suppressed;
    }

    private void reportSuppressed() {
        if (suppressed > 0) {
            out.println("airlock: suppressed " + suppressed + " refused-request messages");
            suppressed = 0;
        }
    }
}
