package dev.airlock.ipc;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.OptionalLong;

/**
 * Airlock's start-up timeline, shared by the broker and its helper: with
 * {@code AIRLOCK_TIMELINE=1}, each prints one line to stderr per start-up phase it passes,
 * {@code airlock-timeline SIDE MS ms MARK} (for example {@code airlock-timeline broker 123.4 ms
 * policy-parsed}), so that where the start-up of {@code airlock run} goes can be read off one run.
 * Off by default: the broker reads the variable once, and nothing else happens unless it is set.
 *
 * <p>The times of both processes are on one scale, milliseconds since the broker's process
 * started. Each mark is {@link System#nanoTime} (CLOCK_MONOTONIC on Linux: one clock for every
 * process of the machine) less the origin, the broker's process start on that clock. The kernel
 * gives a process's start only in clock ticks since boot ({@code /proc/self/stat}, field 22, on
 * CLOCK_BOOTTIME, at {@link #TICKS_PER_SECOND}); it is put on the monotonic clock by reading
 * {@code /proc/uptime} (CLOCK_BOOTTIME too, in hundredths of a second) beside {@code nanoTime}:
 * the two clocks differ only by the time the machine was suspended, which does not change during
 * a start-up. So the {@code jvm-start} marks are exact to a tick (10 ms either way), every other
 * mark as exact as it is printed, to a tenth of a millisecond. The broker hands its origin to the helper as an agent argument
 * ({@code timeline=NANOS}), so the helper's lines need no reference of their own.
 *
 * <p>A line is one {@code write(2)} on descriptor 2, taken with the mark's time under one lock:
 * one process's lines never mix and come in the order of their times, and lines from the two
 * processes, which share the stream, never cut into each other.
 */
public final class StartupTimeline {
    /** The environment variable that turns the timeline on: {@code 1} on; unset, empty or {@code 0} off. */
    public static final String VARIABLE = "AIRLOCK_TIMELINE";

    /** The first word of every line, what a reader looks for. */
    public static final String PREFIX = "airlock-timeline";

    /**
     * The unit of {@code /proc/self/stat}'s times, USER_HZ: 100 on every architecture the JDK
     * runs on (it is the kernel's user-space ABI, not its internal tick; {@code getconf CLK_TCK}).
     */
    static final long TICKS_PER_SECOND = 100;

    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    /** The timeline of this process, or null while it is off (the only state most runs see). */
    private static volatile StartupTimeline current;

    private final String side;
    private final long origin;
    private final OutputStream out;

    StartupTimeline(String side, long origin, OutputStream out) {
        this.side = side;
        this.origin = origin;
        this.out = out;
    }

    /**
     * Whether {@code value}, the variable's value (null when unset), turns the timeline on.
     *
     * @throws IllegalArgumentException for any value but unset, empty, {@code 0} and {@code 1}
     */
    public static boolean requested(String value) {
        if (value == null || value.isEmpty() || value.equals("0")) {
            return false;
        }
        if (value.equals("1")) {
            return true;
        }
        throw new IllegalArgumentException(VARIABLE + "=" + value
                + ": give 1 to print the start-up timeline to stderr, or 0 (or leave it unset) for none");
    }

    /**
     * Starts the broker's timeline: the origin is this process's start, marked {@code jvm-start},
     * and {@code main-entered} is marked at {@code mainEntered} (a {@code nanoTime} taken first thing in main).
     *
     * @throws IOException if {@code /proc} cannot tell when this process started
     */
    public static void startBroker(long mainEntered) throws IOException {
        long origin = processStart();
        StartupTimeline timeline = new StartupTimeline("broker", origin, new FileOutputStream(FileDescriptor.err));
        current = timeline;
        timeline.write("jvm-start", origin);
        timeline.write("main-entered", mainEntered);
    }

    /**
     * Starts the helper's timeline on the broker's {@code origin}, marking {@code jvm-start} (this
     * process's start; a line saying why instead when {@code /proc} cannot tell) and
     * {@code premain-entered} at {@code premainEntered}.
     */
    public static void startHelper(long origin, long premainEntered) {
        StartupTimeline timeline = new StartupTimeline("helper", origin, new FileOutputStream(FileDescriptor.err));
        current = timeline;
        try {
            timeline.write("jvm-start", processStart());
        } catch (IOException | RuntimeException e) {
            timeline.say("jvm-start unknown: " + e.getMessage());
        }
        timeline.write("premain-entered", premainEntered);
    }

    /** The origin to hand the helper, or empty while the timeline is off. */
    public static OptionalLong origin() {
        StartupTimeline timeline = current;
        return timeline == null ? OptionalLong.empty() : OptionalLong.of(timeline.origin);
    }

    /** Marks {@code name} now; does nothing while the timeline is off. */
    public static void mark(String name) {
        StartupTimeline timeline = current;
        if (timeline != null) {
            timeline.writeNow(name);
        }
    }

    /** Writes the line of {@code name} at the time read under the lock, so that lines come in time order. */
    void writeNow(String name) {
        synchronized (StartupTimeline.class) {
            emit(line(side, System.nanoTime() - origin, name));
        }
    }

    /** Writes the line of {@code name} at {@code nanoTime}, a time taken earlier. */
    void write(String name, long nanoTime) {
        synchronized (StartupTimeline.class) {
            emit(line(side, nanoTime - origin, name));
        }
    }

    private void say(String text) {
        synchronized (StartupTimeline.class) {
            emit(PREFIX + " " + side + " " + text.replace('\n', ' ') + "\n");
        }
    }

    /**
     * Writes one line in one call. A failing stderr is not the program's concern: the line is
     * dropped, as the JDK's own {@code System.err} drops what it cannot write.
     */
    private void emit(String line) {
        try {
            out.write(line.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // Nowhere left to say it.
        }
    }

    /**
     * One line, {@code airlock-timeline SIDE MS ms NAME}, the time in milliseconds to a tenth,
     * rounded half up, built without {@code String.format}, whose classes would cost the start-up measured.
     */
    static String line(String side, long nanos, String name) {
        long tenths = Math.floorDiv(nanos + 50_000, 100_000);
        String sign = tenths < 0 ? "-" : "";
        long magnitude = Math.abs(tenths);
        return PREFIX + " " + side + " " + sign + (magnitude / 10) + "." + (magnitude % 10) + " ms " + name + "\n";
    }

    /** This process's start on the {@link System#nanoTime} clock, from {@code /proc} (see the class comment). */
    static long processStart() throws IOException {
        long startTicks = startTicks(read("/proc/self/stat"));
        long before = System.nanoTime();
        long uptimeCentis = uptimeCentis(read("/proc/uptime"));
        long after = System.nanoTime();
        long sinceStart = uptimeCentis * (NANOS_PER_SECOND / 100) - startTicks * (NANOS_PER_SECOND / TICKS_PER_SECOND);
        return before + (after - before) / 2 - sinceStart;
    }

    /**
     * Field 22 of a {@code /proc/PID/stat} line, the process's start in ticks since boot. The
     * second field, the command name in parentheses, may hold spaces and parentheses itself, so
     * the fields are counted from the last {@code )}.
     *
     * @throws IOException if the line has no such field
     */
    static long startTicks(String stat) throws IOException {
        int close = stat.lastIndexOf(')');
        if (close < 0) {
            throw new IOException("/proc/self/stat has no command name: " + stat);
        }
        String[] fields = stat.substring(close + 1).trim().split(" ", -1);
        // After the name come fields 3 (the state) onwards: field 22 is the twentieth.
        if (fields.length < 20) {
            throw new IOException("/proc/self/stat has " + (fields.length + 2) + " fields, not the 22 of a start time");
        }
        try {
            return Long.parseLong(fields[19]);
        } catch (NumberFormatException e) {
            throw new IOException("/proc/self/stat's start time is not a number: " + fields[19], e);
        }
    }

    /**
     * The first number of {@code /proc/uptime}, {@code SECONDS.HUNDREDTHS}, in hundredths of a second.
     *
     * @throws IOException if it is not of that form
     */
    static long uptimeCentis(String uptime) throws IOException {
        int space = uptime.indexOf(' ');
        String first = space < 0 ? uptime.trim() : uptime.substring(0, space);
        int dot = first.indexOf('.');
        boolean digits = dot > 0 && dot < 18 && first.length() - dot == 3;
        for (int i = 0; digits && i < first.length(); i++) {
            digits = i == dot || (first.charAt(i) >= '0' && first.charAt(i) <= '9');
        }
        if (!digits) {
            throw new IOException("/proc/uptime does not start with SECONDS.HUNDREDTHS: " + uptime.trim());
        }
        return Long.parseLong(first.substring(0, dot)) * 100 + Integer.parseInt(first.substring(dot + 1));
    }

    private static String read(String file) throws IOException {
        try (FileInputStream in = new FileInputStream(file)) {
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }
}
