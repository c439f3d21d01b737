package dev.airlock.broker;

import dev.airlock.unix.ErrnoException;
import dev.airlock.unix.Fd;
import dev.airlock.unix.Linux;
import dev.airlock.unix.Processes;
import dev.airlock.unix.SpawnPlan;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The agent's transformed JDK classes, computed once per helper JDK and Airlock build by a run of
 * the agent alone ({@code prepare=DIR}), then replayed read-only by every helper. Weaving live
 * costs a helper about half a second of ByteBuddy; replaying costs milliseconds. A helper that
 * finds no usable entry weaves live and gets the same bytes: the agent compares each cached
 * entry's input with the class bytes it is handed, byte for byte, so a helper whose classes
 * differ (another CDS archive, say) falls back to live weaving.
 *
 * <p>The preparation is confined like a helper ({@link Confinement}): its own session and
 * namespaces, no_new_privs, seccomp, the helper's uid, and Landlock rules that let it read only
 * the JVM's files and the agent jar and write only a staging directory, given to its uid. It gets
 * none of the program's JVM options that name files ({@code -XX:SharedArchiveFile=},
 * {@code -XX:AOTCache=}: either could name a file inside a writable grant) and none of the
 * environment (no {@code JAVA_TOOL_OPTIONS}); only {@code -Xshare:} options, which name nothing and
 * change the class bytes. The broker then copies the entries it finds in the staging directory
 * (regular files with an entry's name, opened without following links, bounded in size and
 * number) into a new directory of its own, writable by no one else, and renames that into place.
 *
 * <p><b>Cache trust</b>, decided here and only here: the helper is given (read-only, by
 * {@link SandboxPlanner#helperReads}) only an entry directory this broker's user created, named
 * by a key of the preparation scheme, the JDK's home and {@code release} file, the agent jar's
 * size and time and the sharing options ({@link #key}), and marked {@code complete} once whole;
 * its entries are what {@link #copyEntries} took from a confined preparation, nothing the
 * preparation wrote itself. Within it the agent still trusts an entry only for the exact class
 * bytes it was made from.
 */
final class TransformCache {
    private static final String COMPLETE = "complete";
    /** What the broker saw of the preparation process, from its {@code /proc} entry, right after spawning it. */
    static final String PREPARED_BY = "prepared-by";
    /** Part of the key: entries prepared before the preparation was confined are never reused. */
    private static final String PREPARATION_SCHEME = "confined-1";

    private static final long PREPARE_TIMEOUT_NANOS = 120_000_000_000L;
    /** The agent's entry names: {@code CLASS-CRC32C.xform}. */
    private static final Pattern ENTRY_NAME = Pattern.compile("[A-Za-z0-9_.$]{1,200}-[0-9a-f]{8}\\.xform");

    private static final int MAX_ENTRIES = 64;
    /** Two class files of at most 4 MiB each (the agent's own bound) and a header. */
    private static final int MAX_ENTRY_BYTES = 8 * 1024 * 1024 + 4096;

    private TransformCache() {}

    /**
     * The cache directory for {@code jdk}, preparing it first if needed; empty when it cannot be
     * prepared (the helper then weaves live: slower, the same result).
     */
    static Optional<Path> prepare(
            Path cacheRoot, Jdk jdk, Path agentJar, List<String> userArgs, Confinement confinement) {
        try {
            List<String> shareOptions = classDataSharingOptions(userArgs);
            Path dir = cacheRoot.resolve("xform-" + key(jdk.home(), agentJar, shareOptions));
            if (Files.isRegularFile(dir.resolve(COMPLETE), LinkOption.NOFOLLOW_LINKS)) {
                return Optional.of(dir);
            }
            Path staging = Files.createTempDirectory(cacheRoot, "xform-staging-");
            try {
                giveTo(staging, confinement.identity().dropTo());
                List<String> command = command(jdk.launcher(), agentJar, shareOptions, staging);
                String observed = runConfined(command, jdk, agentJar, staging, confinement);
                if (observed == null) {
                    return Optional.empty();
                }
                return Optional.ofNullable(
                        install(cacheRoot, staging, dir, observed, String.join(" ", command) + "\n"));
            } finally {
                deleteTree(staging);
            }
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * The class bytes a JVM hands to the agent depend on class data sharing, so the cache is
     * prepared with the helper's own sharing mode. Only {@code -Xshare:} options are kept:
     * options naming an archive file are the program's and are never given to the preparation.
     */
    static List<String> classDataSharingOptions(List<String> userArgs) {
        List<String> options = new ArrayList<>();
        for (String arg : userArgs) {
            if (!arg.startsWith("-")) {
                break; // the main class or -jar's jar: the rest belongs to the application
            }
            if (arg.startsWith("-Xshare:")) {
                options.add(arg);
            }
        }
        return options;
    }

    private static List<String> command(Path java, Path agentJar, List<String> shareOptions, Path staging) {
        List<String> command = new ArrayList<>();
        command.add(java.toString());
        command.add("-XX:+PerfDisableSharedMem");
        command.addAll(shareOptions);
        command.add("-javaagent:" + agentJar + "=prepare=" + HelperCommandLine.encodeAgentValue(staging.toString()));
        command.add("-version");
        return command;
    }

    /** The staging directory belongs to the preparation's user, who alone may write it (0700). */
    private static void giveTo(Path staging, Optional<UserAccount> user) throws IOException {
        if (user.isPresent()) {
            Files.setAttribute(staging, "unix:gid", user.get().gid(), LinkOption.NOFOLLOW_LINKS);
            Files.setAttribute(staging, "unix:uid", user.get().uid(), LinkOption.NOFOLLOW_LINKS);
        }
    }

    /**
     * Runs the preparation confined, with /dev/null as its standard streams and an empty
     * environment. Returns what the broker saw of the process, or null if it failed or timed out.
     */
    private static String runConfined(
            List<String> command, Jdk jdk, Path agentJar, Path staging, Confinement confinement) throws IOException {
        List<LandlockRules.Rule> named = SandboxPlanner.preparationReads(jdk, agentJar, staging);
        LandlockRules rules = LandlockRules.resolve(named, RealPaths.lookUp(SandboxPlanner.pathsOf(named)));
        Spawner.Spawned spawned;
        String observed;
        try (Fd devNull = Linux.open("/dev/null", Linux.O_RDWR, 0);
                Fd quiet = Linux.dupCloexec(devNull.get(), 10)) {
            SpawnPlan plan = SpawnPlan.prepare(
                    command.get(0), command, List.of(), Map.of(0, quiet.get(), 1, quiet.get(), 2, quiet.get()), true);
            spawned = confinement.spawn(plan, rules, "airlock-cache-spawner");
            observed = observe(spawned.pid());
        }
        try {
            int status = awaitOrKill(spawned.pid());
            return status == 0 ? observed : null;
        } finally {
            // Whatever it left behind; the broker has no other child yet (the helper comes after).
            ProcessTree.endAll(spawned.pid(), System.err);
            spawned.release();
        }
    }

    /**
     * What the kernel shows of the just-spawned preparation (it has exec'ed by the time
     * posix_spawn returns): identity, no_new_privs, seccomp, session, terminal, namespaces.
     */
    static String observe(int pid) {
        Path proc = Path.of("/proc", String.valueOf(pid));
        StringBuilder b = new StringBuilder("pid " + pid + "\n");
        try {
            for (String line : Files.readAllLines(proc.resolve("status"), StandardCharsets.ISO_8859_1)) {
                for (String key : new String[] {"Uid:", "Gid:", "Groups:", "CapEff:", "NoNewPrivs:", "Seccomp:"}) {
                    if (line.startsWith(key)) {
                        b.append(line.replaceAll("\\s+", " ").strip()).append('\n');
                    }
                }
            }
            String stat = Files.readString(proc.resolve("stat"), StandardCharsets.ISO_8859_1);
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ", -1);
            // After the command: state ppid pgrp session tty_nr.
            b.append("session ")
                    .append(fields[3])
                    .append(" tty_nr ")
                    .append(fields[4])
                    .append('\n');
            b.append("net ")
                    .append(Files.readSymbolicLink(proc.resolve("ns/net")))
                    .append('\n');
            b.append("ipc ")
                    .append(Files.readSymbolicLink(proc.resolve("ns/ipc")))
                    .append('\n');
        } catch (IOException | RuntimeException gone) {
            b.append("unobserved: ").append(gone).append('\n');
        }
        return b.toString();
    }

    /** The preparation's exit status (128+N for signal N); killed after the timeout. */
    private static int awaitOrKill(int pid) throws ErrnoException {
        long deadline = System.nanoTime() + PREPARE_TIMEOUT_NANOS;
        while (true) {
            Processes.Exited exited = Processes.reapIfExited(pid);
            if (exited != null) {
                return HelperProcess.exitCode(exited.status());
            }
            if (System.nanoTime() > deadline) {
                Processes.kill(pid, Processes.SIGKILL);
                return HelperProcess.exitCode(Processes.waitpid(pid));
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                Processes.kill(pid, Processes.SIGKILL);
                Processes.waitpid(pid);
                return -1;
            }
        }
    }

    /**
     * Copies the entries the preparation left in {@code staging} into a new directory of the
     * broker's, adds the broker's records, and renames it to {@code entry}. Returns the entry, or
     * null when the preparation left nothing usable.
     */
    private static Path install(Path cacheRoot, Path staging, Path entry, String observed, String commandLine)
            throws IOException {
        Path incoming = Files.createTempDirectory(cacheRoot, "xform-import-");
        try {
            if (copyEntries(staging, incoming) == 0) {
                return null;
            }
            writeOwn(incoming.resolve(PREPARED_BY), observed.getBytes(StandardCharsets.UTF_8));
            writeOwn(incoming.resolve(COMPLETE), commandLine.getBytes(StandardCharsets.UTF_8));
            Files.setPosixFilePermissions(incoming, PosixFilePermissions.fromString("rwxr-xr-x"));
            try {
                Files.move(incoming, entry, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException | DirectoryNotEmptyException raced) {
                // Another broker prepared the same cache at the same time: use theirs.
            }
            return Files.isRegularFile(entry.resolve(COMPLETE), LinkOption.NOFOLLOW_LINKS) ? entry : null;
        } finally {
            deleteTree(incoming);
        }
    }

    /**
     * Copies every regular file named like an entry from {@code staging} (written by another
     * user) into {@code target}: opened beneath the directory without following any link, and
     * not blocking on a FIFO; anything else is skipped. Returns how many were copied.
     */
    private static int copyEntries(Path staging, Path target) throws IOException {
        int copied = 0;
        try (Fd dir = Linux.open(staging.toString(), Linux.O_RDONLY | Linux.O_DIRECTORY | Linux.O_NOFOLLOW, 0)) {
            for (byte[] raw : Linux.readDirectory(dir.get())) {
                String name = new String(raw, StandardCharsets.UTF_8);
                if (!ENTRY_NAME.matcher(name).matches()) {
                    continue; // a temporary file of the agent's, or something that is no entry
                }
                if (++copied > MAX_ENTRIES) {
                    throw new IOException("the cache preparation left more than " + MAX_ENTRIES + " entries");
                }
                try (Fd file = Linux.openat2(
                        dir.get(),
                        name,
                        Linux.O_RDONLY | Linux.O_NOFOLLOW | Linux.O_NONBLOCK,
                        0,
                        Linux.RESOLVE_BENEATH | Linux.RESOLVE_NO_SYMLINKS | Linux.RESOLVE_NO_MAGICLINKS)) {
                    if (!Linux.fstat(file.get()).isRegularFile()) {
                        throw new IOException("cache entry " + name + " is not a regular file");
                    }
                    writeOwn(target.resolve(name), Linux.readAll(file.get(), MAX_ENTRY_BYTES));
                }
            }
        }
        return copied;
    }

    /** A new file of the broker's, readable by the helper's user, writable by no one else. */
    private static void writeOwn(Path file, byte[] content) throws IOException {
        Files.write(file, content, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    }

    private static String key(Path javaHome, Path agentJar, List<String> shareOptions) throws IOException {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(PREPARATION_SCHEME.getBytes(StandardCharsets.UTF_8));
            digest.update(javaHome.toString().getBytes(StandardCharsets.UTF_8));
            Path release = javaHome.resolve("release");
            if (Files.isRegularFile(release)) {
                digest.update(Files.readAllBytes(release));
            }
            digest.update((Files.size(agentJar) + "@"
                            + Files.getLastModifiedTime(agentJar).toMillis())
                    .getBytes(StandardCharsets.UTF_8));
            digest.update(String.join("\0", shareOptions).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest.digest(), 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JDK", e);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }
}
