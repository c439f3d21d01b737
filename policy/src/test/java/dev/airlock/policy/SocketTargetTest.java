package dev.airlock.policy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.net.SocketPermission;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Address literals and permission names are read exactly as the JDK reads them: compared with
 * the JDK's own {@code sun.net.util.IPAddressUtil} (which {@code SocketPermission} uses) and with
 * the {@code SocketPermission} constructor, on strings generated from fixed seeds.
 */
class SocketTargetTest {

    private static final String ALPHABET = "0123456789abcdefABCDEF:.%x[]-*+ \u0661";

    private static String random(Random r, int max) {
        StringBuilder sb = new StringBuilder();
        for (int i = r.nextInt(max); i > 0; i--) {
            sb.append(ALPHABET.charAt(r.nextInt(ALPHABET.length())));
        }
        return sb.toString();
    }

    @Test
    void addressLiteralsMatchTheJdk() throws Exception {
        Class<?> util = Class.forName("sun.net.util.IPAddressUtil");
        Method v4 = util.getMethod("textToNumericFormatV4", String.class);
        Method v6 = util.getMethod("textToNumericFormatV6", String.class);
        Random r = new Random(21);
        int addresses = 0;
        for (int i = 0; i < 200_000; i++) {
            String s = i % 3 == 0 ? randomV4(r) : i % 3 == 1 ? randomV6(r) : random(r, 20);
            byte[] jdk4 = (byte[]) v4.invoke(null, s);
            byte[] jdk = jdk4 != null ? jdk4 : (byte[]) v6.invoke(null, s);
            long ours4 = IpLiterals.parseV4(s, 0, s.length());
            byte[] ours = ours4 >= 0
                    ? new byte[] {(byte) (ours4 >> 24), (byte) (ours4 >> 16), (byte) (ours4 >> 8), (byte) ours4}
                    : IpLiterals.parseV6(s);
            assertArrayEquals(jdk, ours, "\"" + s + "\"");
            if (jdk != null) {
                addresses++;
            }
        }
        assertTrue(addresses > 20_000, "addresses " + addresses);
    }

    private static String randomV4(Random r) {
        StringBuilder sb = new StringBuilder();
        for (int k = 1 + r.nextInt(5); k > 0; k--) {
            if (sb.length() > 0) {
                sb.append('.');
            }
            sb.append(r.nextInt(10) == 0 ? "" : Integer.toString(r.nextInt(r.nextBoolean() ? 300 : 70000)));
        }
        return sb.toString();
    }

    private static String randomV6(Random r) {
        StringBuilder sb = new StringBuilder();
        int groups = r.nextInt(10);
        for (int k = 0; k < groups; k++) {
            if (k > 0 || r.nextInt(4) == 0) {
                sb.append(r.nextInt(6) == 0 ? "::" : ":");
            }
            sb.append(Integer.toHexString(r.nextInt(r.nextInt(8) == 0 ? 0x200000 : 0x10000)));
        }
        if (r.nextInt(5) == 0) {
            sb.append(r.nextBoolean() ? ":" : "::").append(randomV4(r));
        }
        if (r.nextInt(8) == 0) {
            sb.append('%').append(r.nextBoolean() ? "eth0" : "");
        }
        if (r.nextInt(10) == 0) {
            sb.insert(0, "::ffff:");
        }
        return sb.toString();
    }

    @Test
    void acceptsExactlyTheNamesSocketPermissionAccepts() {
        String[] hosts = {
            "",
            "h",
            "*",
            "*.a",
            "*a",
            "a*",
            "[::1]",
            "[::1",
            "::1",
            "1:2:3:4:5:6:7:8",
            "1:2:3:4:5:6:7:8:80",
            "[::1]x",
            "1.2.3.4",
            "a:b",
            "[x]"
        };
        String[] ports = {
            "", ":", ":80", ":80-90", ":-1", ":1-", ":-", ":*", ":x", ":9-8", ":+5", ":1-2-3", ":\u0668\u0660", ":99999"
        };
        Random r = new Random(22);
        for (int i = 0; i < 20_000; i++) {
            String name =
                    i < hosts.length * ports.length ? hosts[i / ports.length] + ports[i % ports.length] : random(r, 14);
            boolean jdkOk;
            try {
                new SocketPermission(name, "connect");
                jdkOk = true;
            } catch (IllegalArgumentException e) {
                jdkOk = false;
            }
            boolean ours;
            try {
                SocketTarget.parse(name);
                ours = true;
            } catch (IllegalArgumentException e) {
                ours = false;
            }
            assertEquals(jdkOk, ours, "\"" + name + "\"");
        }
    }

    @Test
    void readsHostsAndPortsAsTheJdkDoes() {
        SocketTarget t = SocketTarget.parse("[fe80::1%eth0]junk:80-90");
        assertEquals(SocketTarget.Kind.ADDRESS, t.kind);
        assertEquals(80, t.portLow);
        assertEquals(90, t.portHigh);
        // Nine colon-separated parts: an unbracketed IPv6 address and a port.
        SocketTarget nine = SocketTarget.parse("1:2:3:4:5:6:7:8:80");
        assertEquals(SocketTarget.Kind.ADDRESS, nine.kind);
        assertEquals(80, nine.portLow);
        assertThrows(IllegalArgumentException.class, () -> SocketTarget.parse("::ffff:1.2.3.4:8"));
        assertArrayEquals(new byte[] {1, 2, 3, 4}, SocketTarget.parse("[::ffff:1.2.3.4]").address);
        assertEquals("localhost", SocketTarget.parse("").host);
        assertEquals(".example.com", SocketTarget.parse("*.EXAMPLE.com:443").suffix);
        assertEquals(99999, SocketTarget.parse("h:99999").portLow);
        assertEquals(80, SocketTarget.parse("h:\u0668\u0660").portLow);
        assertThrows(IllegalArgumentException.class, () -> SocketTarget.parse("::1"));
        assertThrows(NullPointerException.class, () -> SocketTarget.parse(null));
    }

    @Test
    void portZeroMeansTheEphemeralRange() {
        PortRanges p = new PortRanges(32768, 60999);
        assertTrue(p.covers(0, 0, 40000, 40000));
        assertTrue(p.covers(0, 1024, 40000, 40000));
        assertFalse(p.covers(0, 1024, 2000, 2000));
        assertTrue(p.covers(0, 32767, 32767, 60999));
        assertTrue(p.covers(1, 65535, 0, 0));
        assertFalse(p.covers(1, 40000, 0, 0));
        assertFalse(p.covers(80, 80, 0, 0));
        assertTrue(p.covers(0, 65535, 0, 65535));
        assertFalse(p.covers(1024, 65535, 0, 65535));
    }
}
