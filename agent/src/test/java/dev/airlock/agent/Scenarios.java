package dev.airlock.agent;

import java.io.BufferedReader;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.FileReader;
import java.io.FileWriter;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.io.Reader;
import java.io.Writer;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchService;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * The program the tests' child JVMs run under the agent: ordinary JDK file API calls, one per
 * named scenario, each printing {@code NAME|OK RESULT} or {@code NAME|THROW CLASS: MESSAGE}.
 *
 * <p>Arguments: the test's root directory, then the scenario names to run (when none, all but the
 * {@code oracle_} ones, which give the JDK's own wording when run without the agent). Paths
 * are those {@code AirlockAgentTest} lays out: {@code real/} holds the files, {@code locked/} is a
 * directory the child may not search (so every open beneath it fails with EACCES and is routed),
 * {@code missing/} does not exist.
 */
public final class Scenarios {

    private Scenarios() {}

    public static void main(String[] args) throws Exception {
        String r = args[0];
        Map<String, Callable<String>> all = new LinkedHashMap<>();
        // java.io
        all.put("fis_locked", () -> read(new FileInputStream(r + "/locked/fis.txt")));
        all.put("fis_missing", () -> read(new FileInputStream(r + "/missing/fis.txt")));
        all.put("fis_relative", () -> read(new FileInputStream("locked/rel.txt")));
        all.put("fis_denied", () -> read(new FileInputStream(r + "/locked/secret.txt")));
        all.put("fis_enoent", () -> read(new FileInputStream(r + "/locked/absent.txt")));
        all.put("fis_errno", () -> read(new FileInputStream(r + "/locked/loop.txt")));
        all.put("fis_gone", () -> read(new FileInputStream(r + "/locked/gone.txt")));
        all.put("fis_directory", () -> read(new FileInputStream(r + "/real/dir")));
        all.put("fis_directory_routed", () -> read(new FileInputStream(r + "/locked/dir")));
        all.put("fis_direct", () -> read(new FileInputStream(r + "/real/direct.txt")));
        all.put("fos_truncate", () -> write(new FileOutputStream(r + "/locked/fos.txt"), "new"));
        all.put("fos_append", () -> {
            try (FileOutputStream out = new FileOutputStream(r + "/locked/fos-append.txt", true)) {
                // FileChannel#position reads the append bit the JDK records in the FileDescriptor.
                long before = out.getChannel().position();
                out.write("def".getBytes(StandardCharsets.UTF_8));
                return "position=" + before + "," + out.getChannel().position();
            }
        });
        all.put("fos_denied", () -> write(new FileOutputStream(r + "/locked/secret.txt"), "x"));
        all.put("file_writer", () -> {
            try (Writer w = new FileWriter(r + "/locked/writer.txt", StandardCharsets.UTF_8)) {
                w.write("writer-data");
            }
            return "written";
        });
        all.put("file_reader", () -> {
            try (Reader in = new FileReader(r + "/locked/reader.txt", StandardCharsets.UTF_8)) {
                return new BufferedReader(in).readLine();
            }
        });
        all.put("raf_r", () -> {
            try (RandomAccessFile f = new RandomAccessFile(r + "/locked/raf-r.txt", "r")) {
                return f.readLine() + " length=" + f.length();
            }
        });
        for (String mode : new String[] {"rw", "rws", "rwd"}) {
            all.put("raf_" + mode, () -> {
                try (RandomAccessFile f = new RandomAccessFile(r + "/locked/raf-" + mode + ".txt", mode)) {
                    f.write(("data-" + mode).getBytes(StandardCharsets.UTF_8));
                    f.seek(0);
                    return f.readLine();
                }
            });
        }
        all.put("raf_denied", () -> {
            try (RandomAccessFile f = new RandomAccessFile(r + "/locked/secret.txt", "rw")) {
                return "opened length=" + f.length();
            }
        });
        // NIO
        all.put("nio_new_byte_channel", () -> {
            try (SeekableByteChannel ch = Files.newByteChannel(Path.of(r, "locked/nio-read.txt"))) {
                ByteBuffer b = ByteBuffer.allocate(100);
                ch.read(b);
                return new String(b.array(), 0, b.position(), StandardCharsets.UTF_8);
            }
        });
        all.put("nio_new_input_stream", () -> read(Files.newInputStream(Path.of(r, "locked/nio-read.txt"))));
        all.put(
                "nio_read_all_bytes",
                () -> new String(Files.readAllBytes(Path.of(r, "locked/nio-read.txt")), StandardCharsets.UTF_8));
        all.put("nio_read_string", () -> Files.readString(Path.of(r, "locked/nio-read.txt")));
        all.put("nio_relative", () -> Files.readString(Path.of("locked/rel.txt")));
        all.put("nio_file_channel", () -> {
            try (FileChannel ch = FileChannel.open(Path.of(r, "locked/nio-read.txt"))) {
                return "size=" + ch.size();
            }
        });
        all.put(
                "nio_new_output_stream",
                () -> write(Files.newOutputStream(Path.of(r, "locked/nio-out.txt")), "nio-out-data"));
        all.put("nio_write", () -> {
            Files.write(Path.of(r, "locked/nio-write.txt"), "nio-write-data".getBytes(StandardCharsets.UTF_8));
            return "written";
        });
        all.put("nio_directory_stream", () -> {
            List<String> entries = new ArrayList<>();
            try (DirectoryStream<Path> dir = Files.newDirectoryStream(Path.of(r, "locked/dir"))) {
                dir.forEach(p -> entries.add(p.getFileName().toString()));
            }
            return String.join(",", entries);
        });
        all.put("nio_denied", () -> Files.readString(Path.of(r, "locked/secret.txt")));
        all.put("nio_denied_channel", () -> {
            try (FileChannel ch = FileChannel.open(Path.of(r, "locked/secret.txt"))) {
                return "opened size=" + ch.size();
            }
        });
        all.put("nio_enoent", () -> Files.readString(Path.of(r, "locked/absent.txt")));
        all.put("nio_errno", () -> Files.readString(Path.of(r, "locked/loop.txt")));
        all.put("nio_gone", () -> Files.readString(Path.of(r, "locked/gone.txt")));
        all.put("nio_not_routed", () -> Files.readString(Path.of(r, "missing/nio.txt")));
        // The kernel refuses a watch on the unreadable directory; hooked, the opener is asked (a fake
        // without watches answers ENOSYS), unhooked, the JDK's AccessDeniedException stands.
        all.put("watch_locked", () -> {
            try (WatchService watcher = FileSystems.getDefault().newWatchService()) {
                Path.of(r, "locked").register(watcher, StandardWatchEventKinds.ENTRY_CREATE);
                return "registered";
            }
        });
        // the bridge
        all.put("bridge_loader", () -> {
            Class<?> bridge = Class.forName("java.io.AirlockBridge");
            return "loader=" + bridge.getClassLoader() + " module="
                    + bridge.getModule().getName();
        });
        all.put("bridge_operations", () -> {
            // Every int constant of the bridge, by reflection: BridgeTest compares them all with the agent's.
            return intConstants(Class.forName("java.io.AirlockBridge"), true);
        });
        all.put("bridge_set_once", () -> {
            Class<?> bridge = Class.forName("java.io.AirlockBridge");
            Method install = bridge.getDeclaredMethod("install", Object[].class);
            install.setAccessible(true);
            MethodHandle other = MethodHandles.lookup()
                    .findStatic(
                            Scenarios.class,
                            "other",
                            MethodType.methodType(
                                    int.class, int.class, String.class, String.class, int.class, int.class));
            try {
                install.invoke(null, (Object) new Object[] {other, new String[0], new byte[0]});
                return "replaced";
            } catch (InvocationTargetException e) {
                throw (Exception) e.getCause();
            }
        });
        all.put("bridge_after_refusal", () -> read(new FileInputStream(r + "/locked/after.txt")));

        // Oracles, run without the agent: the JDK's own wording of the failures routed above.
        all.put("oracle_fis_enoent", () -> read(new FileInputStream(r + "/real/absent.txt")));
        all.put("oracle_fis_directory", () -> read(new FileInputStream(r + "/real/dir")));
        all.put("oracle_fis_eloop", () -> read(new FileInputStream(r + "/real/loop.txt")));
        all.put("oracle_nio_enoent", () -> Files.readString(Path.of(r, "real/absent.txt")));
        all.put("oracle_nio_eloop", () -> Files.readString(Path.of(r, "real/loop.txt")));

        // By default every scenario but the oracles, which are meant to run without the agent.
        List<String> names = new ArrayList<>();
        if (args.length > 1) {
            names.addAll(Arrays.asList(args).subList(1, args.length));
        } else {
            all.keySet().stream().filter(n -> !n.startsWith("oracle_")).forEach(names::add);
        }
        for (String name : names) {
            Callable<String> scenario = all.get(name);
            String result;
            try {
                result = "OK " + scenario.call();
            } catch (Exception e) {
                result = "THROW " + e.getClass().getName() + ": " + e.getMessage();
            }
            System.out.println(name + "|" + result);
        }
    }

    /** What a hijacked bridge would route to; never installed. */
    static int other(int op, String path, String display, int flags, int mode) {
        return -1;
    }

    private static String read(InputStream in) throws Exception {
        try (InputStream s = in) {
            return new String(s.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static String write(OutputStream out, String text) throws Exception {
        try (OutputStream s = out) {
            s.write(text.getBytes(StandardCharsets.UTF_8));
        }
        return "written";
    }

    /**
     * {@code NAME=value} of every static final int field of {@code type} (only the public ones
     * with {@code publicOnly}: the bridge's private constants are not operations), sorted by name.
     */
    static String intConstants(Class<?> type, boolean publicOnly) throws IllegalAccessException {
        java.util.TreeMap<String, Integer> values = new java.util.TreeMap<>();
        for (java.lang.reflect.Field f : type.getDeclaredFields()) {
            int m = f.getModifiers();
            if (java.lang.reflect.Modifier.isStatic(m)
                    && java.lang.reflect.Modifier.isFinal(m)
                    && f.getType() == int.class
                    && (!publicOnly || java.lang.reflect.Modifier.isPublic(m))) {
                f.setAccessible(true);
                values.put(f.getName(), f.getInt(null));
            }
        }
        java.util.List<String> out = new java.util.ArrayList<>();
        values.forEach((k, v) -> out.add(k + "=" + v));
        return String.join(",", out);
    }
}
