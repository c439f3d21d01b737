package dev.airlock.policy;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Modifier;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Permission;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The {@code java.*} permission classes of the running JDK, each marked grantable or not, as
 * {@link JdkPermissionsTest} compares them with {@link JdkPermissions}. A class of its own, using
 * nothing but the JDK, so that the test can run it unchanged on another JDK ({@link #main}).
 */
final class PermissionClasses {

    private PermissionClasses() {}

    /** Prints {@link #list()}, one line each, for a test running it on another JDK. */
    public static void main(String[] args) throws Exception {
        list().forEach(System.out::println);
    }

    /**
     * Every permission class of every {@code java.*} package of every module, enumerated through the
     * {@code jrt:} file system, as {@code "grantable NAME"} or {@code "other NAME"}, sorted; the
     * last line is {@code "classes N"}, how many {@code java.*} classes were looked at.
     */
    static List<String> list() throws IOException, ClassNotFoundException {
        TreeSet<String> out = new TreeSet<>();
        FileSystem jrt = FileSystems.getFileSystem(URI.create("jrt:/"));
        int classes = 0;
        try (Stream<Path> files = Files.walk(jrt.getPath("/modules"))) {
            for (Path p : (Iterable<Path>) files::iterator) {
                if (p.getNameCount() < 3) {
                    continue;
                }
                String rel = p.subpath(2, p.getNameCount()).toString();
                if (!rel.startsWith("java/") || !rel.endsWith(".class") || rel.endsWith("module-info.class")) {
                    continue;
                }
                String name = rel.substring(0, rel.length() - 6).replace('/', '.');
                Class<?> c = Class.forName(name, false, ClassLoader.getPlatformClassLoader());
                classes++;
                if (Permission.class.isAssignableFrom(c)) {
                    out.add((grantable(c) ? "grantable " : "other ") + name);
                }
            }
        }
        List<String> lines = new java.util.ArrayList<>(out);
        lines.add("classes " + classes);
        return lines;
    }

    /** Whether a policy file can name the class: public, concrete, made from at most two strings. */
    private static boolean grantable(Class<?> c) {
        if (!Modifier.isPublic(c.getModifiers()) || Modifier.isAbstract(c.getModifiers())) {
            return false;
        }
        for (Constructor<?> k : c.getConstructors()) {
            Class<?>[] types = k.getParameterTypes();
            boolean strings = true;
            for (Class<?> t : types) {
                strings &= t == String.class;
            }
            if (strings && types.length <= 2) {
                return true;
            }
        }
        return false;
    }
}
