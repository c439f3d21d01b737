package dev.airlock.it.app;

import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.GraphicsEnvironment;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.File;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.ZoneId;
import java.util.HexFormat;
import java.util.Locale;
import java.util.TimeZone;
import java.util.prefs.Preferences;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * What a program finds around it on the host: its temporary directory and the temporary files it
 * makes there, its home and preferences, and the system files the JDK and its libraries read
 * (fonts through fontconfig, time zones, {@code /etc/hosts}). Each argument is one operation
 * {@code NAME[:ARG]}, answered with one line, so that a run inside the
 * sandbox and a run outside it can be compared line by line.
 */
public final class HostProbe {
    private HostProbe() {}

    /** Answers each operation on its own line, {@code NAME[:ARG] OK ...} or {@code NAME[:ARG] EX ...}, as {@link Probe} does. */
    public static void main(String[] args) {
        for (String arg : args) {
            int colon = arg.indexOf(':');
            String op = colon < 0 ? arg : arg.substring(0, colon);
            String value = colon < 0 ? "" : arg.substring(colon + 1);
            String result;
            try {
                result = "OK " + run(op, value);
            } catch (Exception e) {
                result = "EX " + e.getClass().getName() + ": " + e.getMessage();
            }
            System.out.println(arg + " " + result);
            System.out.flush();
        }
    }

    private static String run(String op, String value) throws Exception {
        switch (op) {
            case "tmpdir":
                return System.getProperty("java.io.tmpdir") + " TMPDIR=" + System.getenv("TMPDIR");
            case "home":
                return System.getProperty("user.home") + " HOME=" + System.getenv("HOME");
            case "pid":
                return String.valueOf(ProcessHandle.current().pid());
            case "temp-files":
                return tempFiles();
            case "write":
                // write:RELATIVE writes a file beneath java.io.tmpdir and reads it back.
                Path file = Path.of(System.getProperty("java.io.tmpdir"), value);
                Files.createDirectories(file.getParent());
                Files.writeString(file, "in tmp");
                return Files.readString(file);
            case "chmod":
                // chmod:RELATIVE, a file beneath java.io.tmpdir: the kernel refuses chmod to the helper, the broker
                // serves it.
                Path target = Path.of(System.getProperty("java.io.tmpdir"), value);
                Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwx------"));
                return PosixFilePermissions.toString(Files.getPosixFilePermissions(target));
            case "plant":
                // plant:TARGET puts a link to TARGET and a directory link to TARGET's parent into java.io.tmpdir.
                Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
                Files.createSymbolicLink(tmp.resolve("link-to-file"), Path.of(value));
                Files.createSymbolicLink(
                        tmp.resolve("link-to-dir"), Path.of(value).getParent());
                Path deep = Files.createDirectories(tmp.resolve("a/b/c"));
                Files.createSymbolicLink(
                        deep.resolve("link-to-dir"), Path.of(value).getParent());
                Files.writeString(deep.resolve("f"), "x");
                return "planted";
            case "sleep":
                Thread.sleep(Long.parseLong(value));
                return "slept";
            case "prefs":
                Preferences node = Preferences.userRoot().node("airlock-probe");
                node.put("key", "value");
                node.flush();
                return node.get("key", "missing");
            case "fonts":
                return fonts();
            case "timezone":
                return TimeZone.getDefault().getID() + " " + ZoneId.systemDefault() + " "
                        + ZoneId.of("Europe/Paris").getRules().getOffset(Instant.parse("2024-07-01T00:00:00Z"));
            case "hosts":
                return digest(Files.readAllBytes(Path.of("/etc/hosts")));
            case "trust":
                TrustManagerFactory factory =
                        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                factory.init((KeyStore) null);
                return "issuers=" + ((X509TrustManager) factory.getTrustManagers()[0]).getAcceptedIssuers().length;
            case "locale":
                return Locale.getDefault() + " " + System.getProperty("file.encoding") + " "
                        + System.getProperty("sun.jnu.encoding");
            case "load-library":
                // load-library:LIB copies a shared library into java.io.tmpdir and loads it from there, as
                // sqlite-jdbc and JNA extract theirs.
                Path copy = Files.createTempFile("native", ".so");
                Files.copy(Path.of(value), copy, StandardCopyOption.REPLACE_EXISTING);
                System.load(copy.toString());
                return "loaded " + copy.getFileName().toString().startsWith("native");
            case "read":
                return digest(Files.readAllBytes(Path.of(value)));
            default:
                throw new IllegalArgumentException("unknown operation " + op);
        }
    }

    /** The JDK's temporary-file APIs, each writing and reading back in java.io.tmpdir; answers where they put it. */
    private static String tempFiles() throws Exception {
        String tmp = System.getProperty("java.io.tmpdir");
        File old = File.createTempFile("probe", ".txt");
        try (OutputStream out = new FileOutputStream(old)) {
            out.write("io".getBytes(StandardCharsets.UTF_8));
        }
        Path nio = Files.createTempFile("probe", ".txt");
        Files.writeString(nio, "nio");
        Path dir = Files.createTempDirectory("probe");
        Path inDir = Files.writeString(dir.resolve("inner"), "inner");
        Files.move(inDir, dir.resolve("moved"));
        String read = Files.readString(old.toPath()) + Files.readString(nio) + Files.readString(dir.resolve("moved"));
        boolean beneath = old.getParent().equals(tmp)
                && nio.getParent().toString().equals(tmp)
                && dir.getParent().toString().equals(tmp);
        Files.delete(dir.resolve("moved"));
        Files.delete(dir);
        Files.delete(nio);
        if (!old.delete()) {
            throw new IllegalStateException("could not delete " + old);
        }
        return read + " beneath=" + beneath;
    }

    /**
     * Text drawn headless with the default logical font and with the first physical family, and the
     * families GraphicsEnvironment lists: a digest of each, so two runs compare in one line.
     */
    private static String fonts() throws Exception {
        GraphicsEnvironment environment = GraphicsEnvironment.getLocalGraphicsEnvironment();
        String[] families = environment.getAvailableFontFamilyNames();
        BufferedImage image = new BufferedImage(400, 60, BufferedImage.TYPE_INT_ARGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 20));
            g.drawString("Airlock renders text", 5, 25);
            g.setFont(new Font(families.length > 0 ? families[0] : Font.SERIF, Font.BOLD, 18));
            g.drawString("the same inside", 5, 50);
        } finally {
            g.dispose();
        }
        int[] pixels = image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
        int inked = 0;
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        for (int pixel : pixels) {
            if (pixel != 0) {
                inked++;
            }
            md.update((byte) (pixel >>> 24));
            md.update((byte) (pixel >>> 16));
            md.update((byte) (pixel >>> 8));
            md.update((byte) pixel);
        }
        return "families=" + families.length + " "
                + digest(String.join("\n", families).getBytes(StandardCharsets.UTF_8)) + " inked=" + inked + " image="
                + HexFormat.of().formatHex(md.digest(), 0, 8);
    }

    private static String digest(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes), 0, 8);
    }
}
