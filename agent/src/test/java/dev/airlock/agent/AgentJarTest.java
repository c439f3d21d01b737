package dev.airlock.agent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

/** In-process (classes directory); the child-JVM tests read the same members from a jar. */
class AgentJarTest {

    @Test
    void readsTheShippedMembersAsTheClassLoaderWould() throws IOException {
        for (String member : Hooks.jdkMembers()) {
            try (InputStream in = AgentJarTest.class.getClassLoader().getResourceAsStream(Hooks.resource(member))) {
                assertArrayEquals(in.readAllBytes(), AgentJar.classFile(member), member);
            }
        }
    }

    @Test
    void aMissingMemberIsAnError() {
        assertThrows(IOException.class, () -> AgentJar.classFile("java.io.NoSuchAdvice"));
    }

    @Test
    void theFingerprintIsStableAndCoversEveryMember() throws IOException {
        assertEquals(AgentJar.fingerprint(), AgentJar.fingerprint());
        assertNotEquals(0L, AgentJar.fingerprint());
        // The bridge, its UnixException and one class per distinct advice.
        assertEquals(
                42, Hooks.jdkMembers().size(), "the four name resolution and two datagram advice classes included");
    }
}
