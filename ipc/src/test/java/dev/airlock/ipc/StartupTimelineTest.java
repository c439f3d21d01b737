package dev.airlock.ipc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StartupTimelineTest {
    @Test
    void onlyOneTurnsItOn() {
        assertFalse(StartupTimeline.requested(null));
        assertFalse(StartupTimeline.requested(""));
        assertFalse(StartupTimeline.requested("0"));
        assertTrue(StartupTimeline.requested("1"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"yes", "true", "2", " 1", "01"})
    void anyOtherValueIsRefusedByName(String value) {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> StartupTimeline.requested(value));
        assertEquals(
                "AIRLOCK_TIMELINE=" + value
                        + ": give 1 to print the start-up timeline to stderr, or 0 (or leave it unset) for none",
                e.getMessage());
    }

    @Test
    void linesGiveMillisecondsToATenthRoundedHalfUp() {
        assertEquals("airlock-timeline broker 0.0 ms jvm-start\n", StartupTimeline.line("broker", 0, "jvm-start"));
        assertEquals("airlock-timeline helper 123.4 ms x\n", StartupTimeline.line("helper", 123_449_999, "x"));
        assertEquals("airlock-timeline helper 123.5 ms x\n", StartupTimeline.line("helper", 123_450_000, "x"));
        assertEquals("airlock-timeline helper 0.0 ms x\n", StartupTimeline.line("helper", 49_999, "x"));
        assertEquals("airlock-timeline helper 1000.0 ms x\n", StartupTimeline.line("helper", 999_950_000, "x"));
        assertEquals("airlock-timeline helper -5.0 ms x\n", StartupTimeline.line("helper", -5_000_000, "x"));
        assertEquals("airlock-timeline helper -0.1 ms x\n", StartupTimeline.line("helper", -50_001, "x"));
    }

    @Test
    void aMarkIsTheTimeSinceTheOriginInOneLine() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long origin = System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(250);
        StartupTimeline timeline = new StartupTimeline("broker", origin, out);
        timeline.write("at-origin", origin);
        timeline.writeNow("now");
        String[] lines = out.toString(StandardCharsets.UTF_8).split("\n", -1);
        assertEquals(3, lines.length, out.toString(StandardCharsets.UTF_8));
        assertEquals("airlock-timeline broker 0.0 ms at-origin", lines[0]);
        String[] now = lines[1].split(" ", -1);
        assertEquals(5, now.length, lines[1]);
        assertEquals("ms", now[3]);
        assertEquals("now", now[4]);
        double ms = Double.parseDouble(now[2]);
        assertTrue(ms >= 250 && ms < 60_000, lines[1]);
        assertEquals("", lines[2]);
    }

    @Test
    void startTicksAreCountedFromTheLastParenthesis() throws IOException {
        String stat = "4242 (a) b (c)) S 1 4242 4242 0 -1 4194560 100 0 0 0 5 2 0 0 20 0 1 0 5973123 1000 200";
        assertEquals(5_973_123, StartupTimeline.startTicks(stat));
    }

    @Test
    void aShortStatLineIsRefused() {
        IOException e = assertThrows(IOException.class, () -> StartupTimeline.startTicks("1 (java) S 1 2 3"));
        assertEquals("/proc/self/stat has 6 fields, not the 22 of a start time", e.getMessage());
        e = assertThrows(IOException.class, () -> StartupTimeline.startTicks("1 java S"));
        assertEquals("/proc/self/stat has no command name: 1 java S", e.getMessage());
    }

    @Test
    void uptimeIsReadInHundredths() throws IOException {
        assertEquals(5_973_994, StartupTimeline.uptimeCentis("59739.94 100850.24\n"));
        assertEquals(7, StartupTimeline.uptimeCentis("0.07 0.01\n"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"5973.9 1", "abc", "-1.00 2", ".50 1", "1.5x 2", ""})
    void anUptimeOfAnotherFormIsRefused(String uptime) {
        IOException e = assertThrows(IOException.class, () -> StartupTimeline.uptimeCentis(uptime));
        assertEquals("/proc/uptime does not start with SECONDS.HUNDREDTHS: " + uptime.trim(), e.getMessage());
    }

    @Test
    void thisProcessStartedBeforeItsJvmCountsUptime() throws IOException {
        long now = System.nanoTime();
        long start = StartupTimeline.processStart();
        long jvmUptime = TimeUnit.MILLISECONDS.toNanos(
                ManagementFactory.getRuntimeMXBean().getUptime());
        long sinceStart = now - start;
        // The process starts before the JVM begins to count its uptime, by the launcher's few
        // milliseconds; both readings are exact to a tick (10 ms) of /proc's clock.
        assertTrue(
                sinceStart > jvmUptime - TimeUnit.MILLISECONDS.toNanos(25)
                        && sinceStart < jvmUptime + TimeUnit.SECONDS.toNanos(1),
                "process start " + sinceStart + " ns ago, JVM uptime " + jvmUptime + " ns");
    }
}
