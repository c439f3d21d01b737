package dev.airlock.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The start-up timeline of a real {@code airlock run} ({@code AIRLOCK_TIMELINE=1}): the broker's and
 * the helper's phase marks on stderr, each once, each process's in the order the start-up passes
 * them, on one clock (the broker's process start), with the program's own output untouched.
 */
class StartupTimelineIT {
    private static final Pattern LINE = Pattern.compile("airlock-timeline (broker|helper) (-?\\d+\\.\\d) ms ([a-z-]+)");

    /** The broker's marks in the order its main thread passes them, libc-bound (its own thread) aside. */
    private static final List<String> BROKER = List.of(
            "jvm-start",
            "main-entered",
            "command-line-parsed",
            "policy-parsed",
            "cache-checked",
            "helper-spawned",
            "helper-exited");

    /** The helper's marks in the order premain's thread passes them, broker-connected (its own thread) aside. */
    private static final List<String> HELPER =
            List.of("jvm-start", "premain-entered", "transforms-installed", "main-class-loaded");

    /**
     * How far a {@code jvm-start} mark may be from the truth: each process start is read in
     * 10 ms ticks, and the helper's is measured against the broker's, so two readings' errors add up.
     */
    private static final double TICKS_MS = 20.0;

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void everyMarkOnceInOrderOnOneClock(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox()) {
            Path file = s.file("brokered/in.txt", "brokered content");
            // DIR/*: a grant the kernel cannot carry, so the open is the broker's and the helper
            // must connect to it (a program that never asks, such as Hello, may end first).
            Path policy = s.policy("app.policy", FileAccessIT.grant(s.data.resolve("brokered/*"), "read"));
            Sandbox.Result r = run(s.command(jdk, policy, "fis:" + file), "1");
            assertEquals(0, r.exitCode(), r.stderr());
            assertEquals(List.of("fis:" + file + " OK brokered content"), r.stdout(), "the program's stdout as it is");

            Map<String, List<Mark>> sides = new LinkedHashMap<>();
            for (String line : r.stderr().lines().toList()) {
                Matcher m = LINE.matcher(line);
                assertTrue(m.matches(), "only timeline lines on stderr, not: " + line + "\n" + r.stderr());
                sides.computeIfAbsent(m.group(1), k -> new ArrayList<>())
                        .add(new Mark(m.group(3), Double.parseDouble(m.group(2))));
            }
            List<Mark> broker = sides.get("broker");
            List<Mark> helper = sides.get("helper");
            assertEquals(sorted(BROKER, "libc-bound"), sorted(names(broker)), "each broker mark once\n" + r.stderr());
            assertEquals(
                    sorted(HELPER, "broker-connected"), sorted(names(helper)), "each helper mark once\n" + r.stderr());

            // Each process writes a line with its time under one lock: in the order of their times.
            for (List<Mark> side : List.of(broker, helper)) {
                for (int i = 1; i < side.size(); i++) {
                    assertTrue(side.get(i - 1).ms() <= side.get(i).ms(), "times never go back\n" + r.stderr());
                }
            }
            assertEquals(BROKER, without(names(broker), "libc-bound"), r.stderr());
            assertEquals(HELPER, without(names(helper), "broker-connected"), r.stderr());
            assertEquals(0.0, at(broker, "jvm-start"), "the origin is the broker's process start");

            // The two threads of their own: libc is bound after main starts it and before the
            // policy is parsed (the run waits for it first); the helper connects after premain.
            assertTrue(at(broker, "main-entered") <= at(broker, "libc-bound"), r.stderr());
            assertTrue(at(broker, "libc-bound") <= at(broker, "policy-parsed"), r.stderr());
            assertTrue(at(helper, "premain-entered") <= at(helper, "broker-connected"), r.stderr());

            // One clock for both: the helper starts when the broker spawns it, and is gone before
            // the broker sees it exit.
            assertTrue(at(helper, "jvm-start") >= at(broker, "cache-checked") - TICKS_MS, r.stderr());
            assertTrue(at(helper, "jvm-start") <= at(broker, "helper-spawned") + TICKS_MS, r.stderr());
            assertTrue(at(broker, "helper-spawned") <= at(helper, "premain-entered"), r.stderr());
            for (Mark mark : helper) {
                assertTrue(mark.ms() <= at(broker, "helper-exited"), mark + "\n" + r.stderr());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void offPrintsNothing(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox()) {
            Path file = s.file("brokered/in.txt", "brokered content");
            Path policy = s.policy("app.policy", FileAccessIT.grant(s.data.resolve("brokered/*"), "read"));
            Sandbox.Result r = run(s.command(jdk, policy, "fis:" + file), "0");
            assertEquals(0, r.exitCode(), r.stderr());
            assertEquals(List.of("fis:" + file + " OK brokered content"), r.stdout());
            assertEquals("", r.stderr());
        }
    }

    @org.junit.jupiter.api.Test
    void anUnknownValueEndsTheRunBeforeAnythingStarts() throws Exception {
        try (Sandbox s = new Sandbox()) {
            Sandbox.Result r = run(s.command(Jdk.JDK17, null, "fis:/etc/hostname"), "yes");
            assertEquals(2, r.exitCode());
            assertEquals(List.of(), r.stdout(), "the program never ran");
            assertEquals(
                    "airlock: AIRLOCK_TIMELINE=yes: give 1 to print the start-up timeline to stderr,"
                            + " or 0 (or leave it unset) for none\n",
                    r.stderr());
        }
    }

    private record Mark(String name, double ms) {}

    /** Runs {@code command} as {@link Sandbox#start} does, with {@code AIRLOCK_TIMELINE} set to {@code value}. */
    private static Sandbox.Result run(List<String> command, String value) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("AIRLOCK_JAVA", Jdk.JDK17.java().toString());
        builder.environment().put("AIRLOCK_TIMELINE", value);
        return Sandbox.Result.of(builder.start(), 120);
    }

    private static double at(List<Mark> marks, String name) {
        return marks.stream()
                .filter(m -> m.name().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no mark " + name + " in " + marks))
                .ms();
    }

    private static List<String> names(List<Mark> marks) {
        assertTrue(marks != null && !marks.isEmpty(), "no marks of one side");
        return marks.stream().map(Mark::name).toList();
    }

    private static List<String> without(List<String> names, String name) {
        return names.stream().filter(n -> !n.equals(name)).toList();
    }

    private static List<String> sorted(List<String> names, String... more) {
        List<String> all = new ArrayList<>(names);
        all.addAll(List.of(more));
        all.sort(null);
        return all;
    }
}
