package dev.airlock.broker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * The files a JVM reads to start and to behave exactly as it does unconfined, granted read (or
 * read and execute) to the helper. Without them the JVM still starts, but with other CPU and
 * memory limits, time zone or user name, which would make the application behave differently.
 */
final class JvmFiles {
    private JvmFiles() {
    }

    static void grant(LandlockRules rules, Path javaHome) throws IOException {
        rules.allow(javaHome, LandlockRules.READ_EXECUTE);
        grantLinkTargets(rules, javaHome);
        // Shared libraries: the dynamic linker maps them, and the kernel execs ld-linux as the interpreter.
        for (String lib : new String[] {"/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu", "/usr/lib64", "/lib64"}) {
            rules.allow(Path.of(lib), LandlockRules.READ_EXECUTE);
        }
        for (String file : new String[] {
            "/etc/ld.so.cache", "/etc/ld.so.preload", "/etc/ld.so.conf", "/etc/ld.so.conf.d",
            "/etc/localtime", "/etc/timezone", "/usr/share/zoneinfo",
            "/etc/passwd", "/etc/group", "/etc/nsswitch.conf",
            "/usr/lib/locale", "/usr/share/locale/locale.alias",
            "/dev/urandom", "/dev/random",
            "/proc", // per-process files of its own (and nothing of the broker's: Landlock scopes ptrace-like access)
            "/sys/fs/cgroup", "/sys/devices/system/cpu", "/sys/devices/system/node",
            "/sys/kernel/mm/transparent_hugepage",
        }) {
            rules.allow(Path.of(file), LandlockRules.READ);
        }
    }

    /**
     * Distributions link parts of the JDK to files outside it (Debian: {@code conf/*} and
     * {@code lib/jvm.cfg} into {@code /etc/java-17-openjdk}, {@code lib/security/cacerts} into
     * {@code /etc/ssl}); the JVM reads them through the link, so their targets are granted too.
     */
    private static void grantLinkTargets(LandlockRules rules, Path javaHome) throws IOException {
        for (String sub : new String[] {"conf", "lib"}) {
            Path dir = javaHome.resolve(sub);
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> walk = Files.walk(dir, 4)) {
                walk.filter(Files::isSymbolicLink).forEach(link -> rules.allow(link, LandlockRules.READ_EXECUTE));
            }
        }
    }
}
