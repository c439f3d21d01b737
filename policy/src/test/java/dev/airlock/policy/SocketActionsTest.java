package dev.airlock.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.SocketPermission;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SocketActionsTest {

    @Test
    void parsesTheJdksActionStrings() {
        assertEquals(SocketActions.CONNECT, SocketActions.parse("connect"));
        assertEquals(SocketActions.CONNECT | SocketActions.ACCEPT, SocketActions.parse("Connect , ACCEPT"));
        assertEquals(SocketActions.ALL, SocketActions.parse("resolve,accept,listen,connect"));
        assertThrows(IllegalArgumentException.class, () -> SocketActions.parse(""));
        assertThrows(IllegalArgumentException.class, () -> SocketActions.parse(" "));
        assertThrows(IllegalArgumentException.class, () -> SocketActions.parse("conect"));
        assertThrows(NullPointerException.class, () -> SocketActions.parse(null));
    }

    @Test
    void formatsInTheJdksOrder() {
        assertEquals("connect,listen,accept,resolve", SocketActions.toString(SocketActions.ALL));
        assertEquals("accept", SocketActions.toString(SocketActions.ACCEPT));
        assertThrows(IllegalArgumentException.class, () -> SocketActions.toString(16));
    }

    @Test
    void acceptsExactlyWhatSocketPermissionAccepts() {
        String[] parts = {
            "connect", "LISTEN", "accept", "Resolve", ",", " ", "\t", "\n", "x", "conn", "ect", "", "\u00A0"
        };
        Random r = new Random(8);
        for (int i = 0; i < 50_000; i++) {
            StringBuilder sb = new StringBuilder();
            for (int k = r.nextInt(7); k > 0; k--) {
                sb.append(parts[r.nextInt(parts.length)]);
            }
            String s = sb.toString();
            // The JDK's canonical action string, which always includes "resolve".
            String jdk;
            try {
                jdk = new SocketPermission("h", s).getActions();
            } catch (IllegalArgumentException e) {
                jdk = null;
            }
            String ours;
            try {
                ours = SocketActions.toString(SocketActions.parse(s) | SocketActions.RESOLVE);
            } catch (IllegalArgumentException e) {
                ours = null;
            }
            assertEquals(jdk, ours, "\"" + s + "\"");
        }
    }
}
