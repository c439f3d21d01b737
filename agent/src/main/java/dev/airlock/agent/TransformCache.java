package dev.airlock.agent;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.lang.instrument.UnmodifiableClassException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.CRC32C;

/**
 * Transformed JDK classes, computed once by a prepare run (confined like a helper, see the broker's
 * TransformCache) and replayed at later start-ups without loading ByteBuddy, which costs a helper
 * about half a second when it weaves live.
 *
 * <p>An entry maps the exact class file the JVM hands a retransformation-capable transformer for
 * a hooked class (the "original class bytes") to what ByteBuddy made of it. Replaying goes through
 * the same door as the live path: a {@link ClassFileTransformer} registered for retransformation,
 * then {@link #loadOrRetransform} on the same classes. So the cached path installs the very bytes
 * the live path would, and a JDK update, another CDS setting or a changed agent misses instead of
 * installing stale bytes: the input is compared byte for byte, not by digest, and the agent's own
 * build (its bridge and advice class files) is part of the key.
 *
 * <p>File per entry: {@code CLASS-CRC.xform} where CRC is the CRC32C of the input (a locator only;
 * equality is decided by the full comparison), holding {@value #MAGIC_TEXT}, the agent fingerprint,
 * then the input and the output, each length-prefixed. Files are written to a temporary name and
 * renamed into place, so a concurrent reader sees either nothing or a whole entry, and are made
 * world-readable (the helper runs as another user and only reads the directory; the broker owns it
 * and runs the prepare step).
 *
 * <p>Which class file a transformer sees, and why the keys are stable from run to run:
 * <ul>
 *   <li>A hooked class that is not loaded yet when the agent installs (the watch service's
 *       {@code LinuxWatchService$Poller}, which the JDK loads only for a WatchService) is loaded by
 *       {@link #loadOrRetransform} once the transformers are registered, so they see it as it
 *       loads: the class file from the runtime image, as it is stored there.
 *   <li>A class loaded before (every other hooked class: java.base loads them from the CDS archive
 *       before any agent runs) is retransformed, and the JVM hands out a class file reconstituted
 *       from its internal form. That depends on how the class was loaded: measured on JDK 17.0.15
 *       and 25.0.3, a cache prepared with CDS on misses under {@code -Xshare:off} (other flags
 *       tried, {@code -Xint}, C1 only, SerialGC, hit). So the prepare run must use the helper's own
 *       JVM options (its JDK, its CDS or AOT cache setting).
 *   <li>Why not every class by retransformation: HotSpot sorts a class's methods by the address of
 *       their name symbols, and the reconstituted class file lists them in that order. For a class
 *       from the CDS archive it was fixed when the archive was dumped; for one parsed at run time
 *       it depends on where the archive and the symbol arena were mapped. Measured when the Poller
 *       was loaded first and retransformed after: two variants of its class file (the same
 *       constant pool and methods, {@code implRegister} in another place) in six prepare runs each
 *       on JDK 17 and 25, so the helper's replay missed; six identical under {@code setarch -R}
 *       (no address randomisation) and under {@code -Xshare:off}.
 * </ul>
 * A miss costs the live path's start-up, never correctness.
 */
final class TransformCache {

    private static final String MAGIC_TEXT = "AIRLOCK-TRANSFORM-1\n";
    private static final byte[] MAGIC = MAGIC_TEXT.getBytes(StandardCharsets.US_ASCII);
    /** JDK classes are a few tens of KiB; anything far larger is not an entry of ours. */
    private static final int MAX_CLASS_FILE = 1 << 22;

    private TransformCache() {}

    /**
     * Replays cached transforms: registers a transformer that answers from {@code dir}, then puts
     * the hooked classes {@code types} through it ({@link #loadOrRetransform}). Returns true when
     * every one was served from the cache; the transformer then stays registered, so that anyone
     * else's later retransformation keeps the hooks. On any miss it is removed again and false
     * returned, and the caller weaves live (a retransformation always starts from the original
     * class bytes, so nothing of the partial replay remains).
     */
    static boolean replay(Instrumentation inst, Path dir, long fingerprint, Collection<String> types) {
        Replayer replayer = new Replayer(types, new Directory(dir, fingerprint));
        inst.addTransformer(replayer, true);
        try {
            loadOrRetransform(inst, types, replayer.loading);
        } catch (Exception | LinkageError e) {
            inst.removeTransformer(replayer);
            return false;
        }
        if (replayer.served.keySet().containsAll(replayer.wanted)) {
            return true;
        }
        inst.removeTransformer(replayer);
        return false;
    }

    /**
     * The one way both paths bring a hooked class under the transformers registered now. A class
     * that is not loaded yet is loaded here (not initialised), so that they see it as it loads:
     * the JVM then hands them the class file from the runtime image, the same bytes in every run.
     * Only a class loaded before is retransformed; the JVM reconstitutes its class file from its
     * internal form, which is stable for a class from the CDS archive but not for one parsed at
     * run time (see the class comment), and no hooked class of a plain start-up is such a one.
     *
     * @param loading the internal names the first registered transformer saw being loaded (not
     *     retransformed); a class loaded meanwhile by another thread is in it as well
     */
    static void loadOrRetransform(Instrumentation inst, Collection<String> types, Set<String> loading)
            throws ClassNotFoundException, UnmodifiableClassException {
        List<Class<?>> loadedBefore = new ArrayList<>();
        for (String type : types) {
            Class<?> c = Class.forName(type, false, null);
            if (!loading.contains(type.replace('.', '/'))) {
                loadedBefore.add(c);
            }
        }
        if (!loadedBefore.isEmpty()) {
            inst.retransformClasses(loadedBefore.toArray(new Class<?>[0]));
        }
    }

    /**
     * A transformer that answers a retransformation of a hooked class with what live weaving made
     * of exactly the same input: registered after the live path, in place of ByteBuddy's.
     */
    static ClassFileTransformer replayer(
            Collection<String> targets, Map<String, byte[]> inputs, Map<String, byte[]> outputs) {
        return new Replayer(targets, new Memory(inputs, outputs));
    }

    /**
     * Captures the class files the JVM hands to transformers for {@code targets}, as they load or
     * are retransformed. Register before ByteBuddy's transformer (the JVM calls
     * retransformation-capable transformers in registration order) so that it sees the original
     * bytes ByteBuddy starts from.
     */
    static final class InputRecorder implements ClassFileTransformer {
        private final Set<String> wanted;
        final Map<String, byte[]> inputs = new ConcurrentHashMap<>();
        /** Internal names of the targets seen as they loaded, for {@link #loadOrRetransform}. */
        final Set<String> loading = ConcurrentHashMap.newKeySet();

        InputRecorder(Collection<String> targets) {
            this.wanted = internalNames(targets);
        }

        @Override
        public byte[] transform(
                Module module,
                ClassLoader loader,
                String className,
                Class<?> redefined,
                ProtectionDomain domain,
                byte[] classfile) {
            if (loader == null && wanted.contains(className)) {
                if (redefined == null) {
                    loading.add(className);
                }
                inputs.put(className.replace('/', '.'), classfile.clone());
            }
            return null;
        }
    }

    /** Writes one entry per class; {@code inputs} and {@code outputs} are keyed by class name. */
    static void write(Path dir, long fingerprint, Map<String, byte[]> inputs, Map<String, byte[]> outputs)
            throws IOException {
        if (!inputs.keySet().equals(outputs.keySet())) {
            throw new IOException("recorded inputs " + new TreeSet<>(inputs.keySet()) + " do not match outputs "
                    + new TreeSet<>(outputs.keySet()));
        }
        Files.createDirectories(dir);
        for (Map.Entry<String, byte[]> e : inputs.entrySet()) {
            byte[] input = e.getValue();
            byte[] output = outputs.get(e.getKey());
            if (Arrays.equals(input, output)) {
                throw new IOException("ByteBuddy left " + e.getKey() + " unchanged");
            }
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (DataOutputStream out = new DataOutputStream(bytes)) {
                out.write(MAGIC);
                out.writeLong(fingerprint);
                out.writeInt(input.length);
                out.write(input);
                out.writeInt(output.length);
                out.write(output);
            }
            Path target = dir.resolve(fileName(e.getKey(), input));
            // Readable by others from its creation (the helper runs as another user and only reads):
            // the mode goes with the open, because the preparation runs confined and the seccomp
            // filter refuses chmod; the broker copies the entries into files of its own anyway.
            Path temporary = Files.createTempFile(
                    dir,
                    ".xform-",
                    ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r--r--")));
            try {
                Files.write(temporary, bytes.toByteArray());
                Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(temporary);
            }
        }
    }

    /**
     * The cached output for {@code input} of class {@code className}, or null when there is no entry
     * for exactly these bytes and this agent build. Never throws: a damaged entry is a miss.
     */
    static byte[] lookup(Path dir, String className, long fingerprint, byte[] input) {
        // java.io rather than Files: the NIO channel classes would load only for this.
        File file = new File(dir.toFile(), fileName(className, input));
        try (InputStream raw = new FileInputStream(file);
                DataInputStream in = new DataInputStream(new BufferedInputStream(raw))) {
            byte[] magic = new byte[MAGIC.length];
            in.readFully(magic);
            if (!Arrays.equals(magic, MAGIC) || in.readLong() != fingerprint) {
                return null;
            }
            byte[] cachedInput = readBlock(in);
            if (!Arrays.equals(cachedInput, input)) {
                return null;
            }
            byte[] output = readBlock(in);
            return in.read() == -1 ? output : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    static String fileName(String className, byte[] input) {
        CRC32C crc = new CRC32C();
        crc.update(input);
        // Not String.format: Formatter pulls in java.util.regex at start-up.
        String hex = Long.toHexString(crc.getValue() | 1L << 32).substring(1);
        return className + "-" + hex + ".xform";
    }

    private static byte[] readBlock(DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length <= 0 || length > MAX_CLASS_FILE) {
            throw new IOException("bad length " + length);
        }
        byte[] block = new byte[length];
        in.readFully(block);
        return block;
    }

    private static Set<String> internalNames(Collection<String> targets) {
        Set<String> names = new TreeSet<>();
        for (String target : targets) {
            names.add(target.replace('.', '/'));
        }
        return names;
    }

    /** Where a replayer finds the output for a class name and its exact input, or null. */
    private interface Source {
        byte[] output(String className, byte[] input);
    }

    /** Entries in a cache directory. (Classes, not lambdas: no lambda bootstrap at start-up.) */
    private static final class Directory implements Source {
        private final Path dir;
        private final long fingerprint;

        Directory(Path dir, long fingerprint) {
            this.dir = dir;
            this.fingerprint = fingerprint;
        }

        @Override
        public byte[] output(String className, byte[] input) {
            return lookup(dir, className, fingerprint, input);
        }
    }

    /** The result of this JVM's own live weaving. */
    private static final class Memory implements Source {
        private final Map<String, byte[]> inputs;
        private final Map<String, byte[]> outputs;

        Memory(Map<String, byte[]> inputs, Map<String, byte[]> outputs) {
            this.inputs = new HashMap<>(inputs);
            this.outputs = new HashMap<>(outputs);
        }

        @Override
        public byte[] output(String className, byte[] input) {
            byte[] output = outputs.get(className);
            return output != null && Arrays.equals(inputs.get(className), input) ? output.clone() : null;
        }
    }

    /** Answers the loading and the retransformations of the hooked classes from a {@link Source}. */
    private static final class Replayer implements ClassFileTransformer {
        private final Source source;
        final Set<String> wanted;
        final Map<String, Boolean> served = new ConcurrentHashMap<>();
        /** Internal names of the targets seen as they loaded, for {@link #loadOrRetransform}. */
        final Set<String> loading = ConcurrentHashMap.newKeySet();

        Replayer(Collection<String> targets, Source source) {
            this.source = source;
            this.wanted = internalNames(targets);
        }

        @Override
        public byte[] transform(
                Module module,
                ClassLoader loader,
                String className,
                Class<?> redefined,
                ProtectionDomain domain,
                byte[] classfile) {
            if (loader != null || !wanted.contains(className)) {
                return null;
            }
            if (redefined == null) {
                loading.add(className);
            }
            byte[] output = source.output(className.replace('/', '.'), classfile);
            if (output != null) {
                served.put(className, Boolean.TRUE);
            }
            return output;
        }
    }
}
