import java.io.FileInputStream;
import java.io.IOException;

/**
 * Times open+close of one file through java.io, many times, after a warm-up. Run inside the
 * sandbox on a file only the policy grants, every open is a broker round trip; run directly it
 * is the plain JDK cost. Prints {@code open_close_us=<mean microseconds per open+close>}.
 */
public final class OpenCloseBench {
    public static void main(String[] args) throws IOException {
        String path = args[0];
        int iterations = Integer.parseInt(args[1]);
        for (int i = 0; i < Math.min(iterations, 20_000); i++) {
            new FileInputStream(path).close();
        }
        long start = System.nanoTime();
        for (int i = 0; i < iterations; i++) {
            new FileInputStream(path).close();
        }
        long elapsed = System.nanoTime() - start;
        System.out.printf("open_close_us=%.2f%n", elapsed / 1000.0 / iterations);
    }
}
