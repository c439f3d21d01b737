import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** An ordinary program that knows nothing of Airlock: it reads each file named on its command line. */
public final class ReadFiles {
    public static void main(String[] args) {
        for (String path : args) {
            try (InputStream in = new FileInputStream(path)) {
                System.out.println(
                        "  read " + path + ": " + new String(in.readAllBytes(), StandardCharsets.UTF_8).strip());
            } catch (IOException e) {
                System.out.println("  FAILED " + path + ": " + e);
            }
        }
    }
}
