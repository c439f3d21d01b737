package dev.airlock.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.airlock.ipc.Request;
import dev.airlock.ipc.RequestPath;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The advice for a missing home: one line, the first time a request names a path beneath it, and never for others. */
class MissingHomeTest {
    @Test
    void saysOnceHowToGiveAHome() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        MissingHome notice =
                new MissingHome(Path.of("/nonexistent"), "nobody", new PrintStream(out, true, StandardCharsets.UTF_8));
        notice.accept(new Request.Stat(RequestPath.of("/nonexistentx/f"), false));
        notice.accept(new Request.Stat(RequestPath.of("/data/nonexistent"), false));
        assertEquals("", out.toString(StandardCharsets.UTF_8), "not beneath the home");
        notice.accept(new Request.Stat(RequestPath.of("/nonexistent/.java/.userPrefs"), false));
        notice.accept(new Request.MakeDirectory(RequestPath.of("/nonexistent/.cache"), 0700));
        assertEquals(
                "airlock: the program asked for /nonexistent/.java/.userPrefs, beneath its home /nonexistent, which "
                        + "does not exist (the helper runs as nobody); give it one with --home DIR, an existing "
                        + "directory the helper's user can write\n",
                out.toString(StandardCharsets.UTF_8));
    }
}
