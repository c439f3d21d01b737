import java.io.FileInputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;

/**
 * Open+close of one file through java.io from T threads at once, as {@link OpenCloseBench} does
 * from one: {@code PATH SECONDS WARMUP_SECONDS T1,T2,...}. After a single-threaded warm-up of
 * 20,000 opens, for each T in turn, T fresh threads open and close PATH in a loop for
 * WARMUP_SECONDS (not counted) and then SECONDS; each thread times every open+close it starts in
 * the counted window with {@link System#nanoTime} into its own array, and the arrays are merged
 * once all have stopped. Prints one line per T: {@code threads=T opens_per_s=<opens started in the
 * window, per second> p50_us=<median> p99_us=<99th percentile>}.
 *
 * <p>Run inside the sandbox on a file only a DIR/* grant covers, every open is a broker round trip
 * and the threads' requests meet in the broker; run directly it is the plain JDK's scaling on the
 * same machine. A latency is wall time, so with more threads than cores it includes the time a
 * thread waits for a core while its open is under way.
 */
public final class ConcurrentOpenBench {
    public static void main(String[] args) throws Exception {
        String path = args[0];
        long windowNanos = (long) (Double.parseDouble(args[1]) * 1e9);
        long warmupNanos = (long) (Double.parseDouble(args[2]) * 1e9);
        for (int i = 0; i < 20_000; i++) {
            new FileInputStream(path).close();
        }
        for (String t : args[3].split(",", -1)) {
            run(path, Integer.parseInt(t), warmupNanos, windowNanos);
        }
    }

    private static void run(String path, int threads, long warmupNanos, long windowNanos) throws InterruptedException {
        CountDownLatch go = new CountDownLatch(1);
        long[] window = new long[2];
        Timer[] timers = new Timer[threads];
        Thread[] started = new Thread[threads];
        for (int i = 0; i < threads; i++) {
            Timer timer = new Timer(path, go, window);
            timers[i] = timer;
            started[i] = new Thread(timer, "open-" + i);
            started[i].start();
        }
        long now = System.nanoTime();
        window[0] = now + warmupNanos;
        window[1] = window[0] + windowNanos;
        go.countDown(); // publishes window[] to every thread (happens-before of the latch)
        int total = 0;
        for (int i = 0; i < threads; i++) {
            started[i].join();
            if (timers[i].failure != null) {
                throw new IllegalStateException("open failed in thread " + i, timers[i].failure);
            }
            total += timers[i].count;
        }
        long[] all = new long[total];
        int at = 0;
        for (Timer timer : timers) {
            System.arraycopy(timer.nanos, 0, all, at, timer.count);
            at += timer.count;
        }
        Arrays.sort(all);
        System.out.printf(
                "threads=%d opens_per_s=%.0f p50_us=%.2f p99_us=%.2f%n",
                threads, total / (windowNanos / 1e9), percentile(all, 0.50) / 1000.0, percentile(all, 0.99) / 1000.0);
    }

    /** The value at rank ceil(q * n) of the sorted values (nearest rank). */
    private static double percentile(long[] sorted, double q) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.max(rank, 1) - 1];
    }

    /** One thread's loop: opens until the window's end, keeping the time of those started in it. */
    private static final class Timer implements Runnable {
        private final String path;
        private final CountDownLatch go;
        private final long[] window;
        long[] nanos = new long[1 << 16];
        int count;
        IOException failure;

        Timer(String path, CountDownLatch go, long[] window) {
            this.path = path;
            this.go = go;
            this.window = window;
        }

        @Override
        public void run() {
            try {
                go.await();
                long from = window[0];
                long to = window[1];
                while (true) {
                    long t0 = System.nanoTime();
                    if (t0 >= to) {
                        return;
                    }
                    new FileInputStream(path).close();
                    long t1 = System.nanoTime();
                    if (t0 >= from) {
                        if (count == nanos.length) {
                            nanos = Arrays.copyOf(nanos, count * 2);
                        }
                        nanos[count++] = t1 - t0;
                    }
                }
            } catch (IOException e) {
                failure = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
