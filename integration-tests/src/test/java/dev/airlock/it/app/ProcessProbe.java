package dev.airlock.it.app;

import dev.airlock.unix.Linux;
import dev.airlock.unix.SpawnPlan;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The process-tree side of the sandbox, as a program sees it: its session and terminal, its
 * command line, and children it starts and leaves behind. Each argument is one operation
 * {@code NAME[:ARG]}, answered with one line {@code NAME[:ARG] OK ...} or {@code ... EX ...}, as
 * {@link Probe} does.
 */
public final class ProcessProbe {
    private ProcessProbe() {}

    public static void main(String[] args) {
        Probe.answerEach(args, ProcessProbe::run);
    }

    private static String run(String op, String value) throws Exception {
        switch (op) {
            case "session":
                return session();
            case "cmdline":
                return new String(Files.readAllBytes(Path.of("/proc/self/cmdline")), StandardCharsets.UTF_8)
                        .replace('\0', ' ')
                        .strip();
            case "read-line":
                return "read "
                        + new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            case "wait":
                System.out.println("waiting");
                System.out.flush();
                return "resumed "
                        + new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            case "sleep":
                Thread.sleep(Long.parseLong(value));
                return "slept";
            case "child":
                // A child JVM that sleeps, left running: the program does not wait for it.
                return "child " + child("sleep:300000").pid();
            case "orphan":
                // A child that starts a grandchild and exits: the grandchild is orphaned while the helper runs.
                Process middle = child("child");
                String line = new BufferedReader(new InputStreamReader(middle.getInputStream(), StandardCharsets.UTF_8))
                        .readLine();
                middle.waitFor();
                return "grandchild " + line.substring(line.lastIndexOf(' ') + 1);
            case "new-session-child":
                return newSessionChild();
            default:
                throw new IllegalArgumentException("unknown operation " + op);
        }
    }

    /** pid, parent, process group, session and controlling terminal, from /proc/self/stat. */
    private static String session() throws Exception {
        String stat = Files.readString(Path.of("/proc/self/stat"), StandardCharsets.ISO_8859_1);
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ", -1);
        return "pid " + ProcessHandle.current().pid() + " ppid " + f[1] + " pgrp " + f[2] + " session " + f[3]
                + " tty_nr " + f[4];
    }

    private static Process child(String operation) throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        return new ProcessBuilder(
                        java,
                        "-XX:+PerfDisableSharedMem",
                        "-cp",
                        System.getProperty("java.class.path"),
                        ProcessProbe.class.getName(),
                        operation)
                .redirectErrorStream(true)
                .start();
    }

    /**
     * A child JVM in a session of its own (setsid, through posix_spawn), which takes it out of
     * the helper's process group: only the broker's subreaper loop can still end it. The seccomp
     * filter may refuse setsid, which is just as good.
     */
    private static String newSessionChild() throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        String classPath = System.getProperty("java.class.path") + File.pathSeparator + airlockJar();
        List<String> argv = List.of(
                java, "-XX:+PerfDisableSharedMem", "-cp", classPath, ProcessProbe.class.getName(), "sleep:300000");
        List<String> env = new ArrayList<>();
        System.getenv().forEach((k, v) -> env.add(k + "=" + v));
        int pid = SpawnPlan.prepare(java, argv, env, Map.of(), true).spawn();
        return "child " + pid;
    }

    private static String airlockJar() throws java.net.URISyntaxException {
        return Path.of(Linux.class
                        .getProtectionDomain()
                        .getCodeSource()
                        .getLocation()
                        .toURI())
                .toString();
    }
}
