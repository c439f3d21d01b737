package dev.airlock.unix;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import jnr.ffi.Pointer;
import jnr.ffi.byref.IntByReference;

/**
 * A posix_spawn(3) laid out in native memory ahead of time (argv, envp, file actions, attributes),
 * so that a thread that has confined itself can spawn without allocating or loading anything:
 * {@link #prepare} on a privileged thread, {@link #spawn} on the confined one. The plan owns its
 * native memory and keeps it alive as long as it is referenced.
 */
public final class SpawnPlan {
    private static final int SIGSET_SIZE = 128;
    private static final int FILE_ACTIONS_SIZE = 256;
    private static final int ATTRIBUTES_SIZE = 512;
    private static final short POSIX_SPAWN_SETSIGDEF = 0x04;
    private static final short POSIX_SPAWN_SETSIGMASK = 0x08;
    /** glibc's posix_spawn flag for setsid(2) in the child, before exec (glibc 2.26+). */
    private static final short POSIX_SPAWN_SETSID = 0x80;

    private final String path;
    private final Pointer argv;
    private final Pointer envp;
    private final Pointer fileActions;
    private final Pointer attributes;
    private final List<Pointer> memory;

    private SpawnPlan(
            String path, Pointer argv, Pointer envp, Pointer fileActions, Pointer attributes, List<Pointer> memory) {
        this.path = path;
        this.argv = argv;
        this.envp = envp;
        this.fileActions = fileActions;
        this.attributes = attributes;
        this.memory = memory;
    }

    /** The number of native blocks this plan keeps alive (argv and envp strings and arrays, signal sets). */
    public int size() {
        return memory.size();
    }

    /**
     * Prepares a spawn of {@code path} whose descriptors are exactly 0, 1, 2 and {@code channel}
     * renumbered as {@code channelNumber}; every other descriptor of this process is closed in
     * the child. Signal mask and dispositions are reset to the defaults.
     */
    public static SpawnPlan prepare(String path, List<String> argv, List<String> env, int channel, int channelNumber)
            throws ErrnoException {
        return prepare(path, argv, env, Map.of(channelNumber, channel), false);
    }

    /**
     * Prepares a spawn of {@code path} whose descriptors are 0, 1 and 2 (the caller's, unless
     * {@code descriptors} renumbers one onto them) and each key of {@code descriptors}, a dup of
     * the value; every other descriptor of this process is closed in the child. Signal mask and
     * dispositions are reset to the defaults. With {@code newSession} the child calls setsid(2)
     * before exec: it leads a new session and process group and has no controlling terminal
     * (its 0, 1 and 2 stay whatever they were, a terminal included).
     */
    public static SpawnPlan prepare(
            String path, List<String> argv, List<String> env, Map<Integer, Integer> descriptors, boolean newSession)
            throws ErrnoException {
        int highest = 2;
        for (Map.Entry<Integer, Integer> d : descriptors.entrySet()) {
            if (descriptors.containsKey(d.getValue())) {
                // dup2 onto itself would keep close-on-exec set, and an earlier dup2 would overwrite a later source.
                throw new IllegalArgumentException("descriptor " + d.getValue() + " is both a source and a target");
            }
            highest = Math.max(highest, d.getKey());
        }
        LibC c = Linux.c();
        List<Pointer> memory = new ArrayList<>();
        Pointer argvArray = stringArray(argv, memory);
        Pointer envArray = stringArray(env, memory);
        Pointer actions = Linux.allocate(FILE_ACTIONS_SIZE);
        check(c.posix_spawn_file_actions_init(actions), "posix_spawn_file_actions_init");
        for (Map.Entry<Integer, Integer> d : new TreeMap<>(descriptors).entrySet()) {
            check(
                    c.posix_spawn_file_actions_adddup2(actions, d.getValue(), d.getKey()),
                    "posix_spawn_file_actions_adddup2");
        }
        check(
                c.posix_spawn_file_actions_addclosefrom_np(actions, highest + 1),
                "posix_spawn_file_actions_addclosefrom_np");
        Pointer attributes = Linux.allocate(ATTRIBUTES_SIZE);
        check(c.posix_spawnattr_init(attributes), "posix_spawnattr_init");
        Pointer empty = Linux.allocate(SIGSET_SIZE);
        c.sigemptyset(empty);
        Pointer all = Linux.allocate(SIGSET_SIZE);
        c.sigfillset(all);
        memory.add(empty);
        memory.add(all);
        check(c.posix_spawnattr_setsigmask(attributes, empty), "posix_spawnattr_setsigmask");
        check(c.posix_spawnattr_setsigdefault(attributes, all), "posix_spawnattr_setsigdefault");
        short flags = (short) (POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | (newSession ? POSIX_SPAWN_SETSID : 0));
        check(c.posix_spawnattr_setflags(attributes, flags), "posix_spawnattr_setflags");
        return new SpawnPlan(path, argvArray, envArray, actions, attributes, memory);
    }

    /** Runs the prepared spawn and returns the child's pid. */
    public int spawn() throws ErrnoException {
        IntByReference pid = new IntByReference();
        int r = Linux.c().posix_spawn(pid, path, fileActions, attributes, argv, envp);
        if (r != 0) {
            throw new ErrnoException("posix_spawn(" + path + ")", r);
        }
        return pid.intValue();
    }

    /**
     * Loads, on the calling (still privileged) thread, the classes {@link #spawn} uses, so that a
     * confined thread never loads one: a class that fails to load there fails for every thread.
     */
    public static void warmUp() {
        Linux.load();
        // Each value is built only for the classes it loads; the values themselves are not needed.
        var unusedReference = new IntByReference().intValue();
        var unusedMessage = new ErrnoException("warm-up", 1).getMessage();
    }

    /** posix_spawn's functions return the error number instead of setting errno. */
    private static void check(int result, String call) throws ErrnoException {
        if (result != 0) {
            throw new ErrnoException(call, result);
        }
    }

    /** A NULL-terminated array of C strings in native memory; every block made is added to {@code keep}. */
    static Pointer stringArray(List<String> values, List<Pointer> keep) {
        Pointer array = Linux.allocate((values.size() + 1) * 8);
        for (int i = 0; i < values.size(); i++) {
            Pointer s = cString(values.get(i));
            keep.add(s);
            array.putAddress(i * 8L, s.address());
        }
        array.putAddress(values.size() * 8L, 0L);
        keep.add(array);
        return array;
    }

    private static Pointer cString(String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        Pointer p = Linux.allocate(bytes.length + 1);
        p.put(0, bytes, 0, bytes.length);
        p.putByte(bytes.length, (byte) 0);
        return p;
    }
}
