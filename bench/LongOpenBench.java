import java.io.BufferedReader;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * The long run of bench/run.sh's memory section: {@code PATH N1 N2 ...} opens and closes PATH
 * through java.io N1 times, prints {@code opens=<so far>} and waits for a line on stdin, then N2
 * more and the same, and so on; it exits after the last line. Inside the sandbox every open is a
 * broker round trip, so the script can read the broker's resident memory at each pause and see
 * whether serving more opens makes it grow.
 */
public final class LongOpenBench {
    public static void main(String[] args) throws IOException {
        String path = args[0];
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        long opens = 0;
        for (int a = 1; a < args.length; a++) {
            long n = Long.parseLong(args[a]);
            for (long i = 0; i < n; i++) {
                new FileInputStream(path).close();
            }
            opens += n;
            System.out.println("opens=" + opens);
            System.out.flush();
            if (in.readLine() == null) {
                return;
            }
        }
    }
}
