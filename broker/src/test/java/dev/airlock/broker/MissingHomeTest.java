package dev.airlock.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.airlock.ipc.Request;
import dev.airlock.ipc.RequestPath;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The advice for a missing home: one line, the first time a request would write beneath it, and never for others. */
class MissingHomeTest {
    @Test
    void saysOnceHowToGiveAHome() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        MissingHome notice =
                new MissingHome(Path.of("/nonexistent"), "nobody", new PrintStream(out, true, StandardCharsets.UTF_8));
        notice.accept(new Request.MakeDirectory(RequestPath.of("/nonexistentx/f"), 0700));
        notice.accept(new Request.MakeDirectory(RequestPath.of("/data/nonexistent"), 0700));
        assertEquals("", out.toString(StandardCharsets.UTF_8), "not beneath the home");
        notice.accept(new Request.Stat(RequestPath.of("/nonexistent/.accessibility.properties"), false));
        notice.accept(new Request.Open(RequestPath.of("/nonexistent/.accessibility.properties"), 0, 0, false));
        assertEquals("", out.toString(StandardCharsets.UTF_8), "looking: answered as outside, no advice");
        for (String climb : new String[] {
            "/nonexistent/.java/fonts/17.0.15", "/nonexistent/.java/fonts", "/nonexistent/.java", "/nonexistent"
        }) {
            notice.accept(new Request.MakeDirectory(RequestPath.of(climb), 0700));
        }
        assertEquals("", out.toString(StandardCharsets.UTF_8), "the JDK's own font cache: it does without");
        notice.accept(new Request.MakeDirectory(RequestPath.of("/nonexistent/.java/.userPrefs"), 0700));
        notice.accept(new Request.Open(RequestPath.of("/nonexistent/.cache"), 0101, 0600, false));
        assertEquals(
                "airlock: the program asked for /nonexistent/.java/.userPrefs, beneath its home /nonexistent, which "
                        + "does not exist (the helper runs as nobody); give it one with --home DIR, an existing "
                        + "directory the helper's user can write\n",
                out.toString(StandardCharsets.UTF_8));
    }
}
