package dev.airlock.agent;

import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.security.CodeSource;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.jar.JarFile;
import java.util.zip.CRC32C;
import java.util.zip.ZipEntry;

/**
 * The java.base members the agent ships as resources (under {@value Hooks#RESOURCE_PREFIX}): the
 * bridge, its UnixException subclass and the advice, read once from the agent's own jar.
 *
 * <p>Not through {@code getResourceAsStream}: a class loader first asks its parents, and the boot
 * and platform loaders look a name outside their packages up in every module of the run-time
 * image, which starts the jimage reader: milliseconds on the start-up path for nothing. The jar
 * is already open (the application loader reads the agent's classes from it) and the JDK shares
 * one open zip per file, so opening it once more here costs little; all members are read in that
 * one pass (a few KiB).
 */
final class AgentJar {

    private static Map<String, byte[]> members;

    private AgentJar() {}

    /** The class file of java.base member {@code binaryName} shipped with the agent. */
    static byte[] classFile(String binaryName) throws IOException {
        byte[] classFile = members().get(binaryName);
        if (classFile == null) {
            throw new IOException("the agent has no " + Hooks.resource(binaryName));
        }
        return classFile.clone();
    }

    /**
     * The agent's build as far as transformed JDK classes depend on it: a CRC32C over the shipped
     * java.base members. A rebuilt agent with other advice misses every cache entry of the old one.
     */
    static long fingerprint() throws IOException {
        CRC32C crc = new CRC32C();
        for (byte[] member : members().values()) {
            int length = member.length;
            crc.update(length >>> 24);
            crc.update(length >>> 16);
            crc.update(length >>> 8);
            crc.update(length);
            crc.update(member);
        }
        return crc.getValue();
    }

    private static synchronized Map<String, byte[]> members() throws IOException {
        if (members == null) {
            Map<String, byte[]> read = new LinkedHashMap<>();
            File location = location();
            if (location != null && location.isFile()) {
                try (JarFile jar = new JarFile(location, false)) {
                    for (String member : Hooks.jdkMembers()) {
                        ZipEntry entry = jar.getEntry(Hooks.resource(member));
                        if (entry != null) {
                            try (InputStream in = jar.getInputStream(entry)) {
                                read.put(member, in.readAllBytes());
                            }
                        }
                    }
                }
            } else if (location != null && location.isDirectory()) {
                // A classes directory, as in this module's own tests.
                for (String member : Hooks.jdkMembers()) {
                    File file = new File(location, Hooks.resource(member));
                    if (file.isFile()) {
                        try (InputStream in = new FileInputStream(file)) {
                            read.put(member, in.readAllBytes());
                        }
                    }
                }
            } else {
                for (String member : Hooks.jdkMembers()) {
                    try (InputStream in = AgentJar.class.getClassLoader().getResourceAsStream(Hooks.resource(member))) {
                        if (in != null) {
                            read.put(member, in.readAllBytes());
                        }
                    }
                }
            }
            if (read.size() != Hooks.jdkMembers().size()) {
                throw new IOException("the agent at " + location + " lacks some of " + Hooks.jdkMembers() + " under "
                        + Hooks.RESOURCE_PREFIX);
            }
            members = read;
        }
        return members;
    }

    /** The jar (or classes directory) the agent was loaded from, or null when unknown. */
    private static File location() {
        CodeSource source = AgentJar.class.getProtectionDomain().getCodeSource();
        URL url = source == null ? null : source.getLocation();
        if (url == null || !"file".equals(url.getProtocol())) {
            return null;
        }
        try {
            return new File(url.toURI());
        } catch (URISyntaxException | IllegalArgumentException e) {
            return null;
        }
    }
}
