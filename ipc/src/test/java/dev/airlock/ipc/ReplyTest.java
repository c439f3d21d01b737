package dev.airlock.ipc;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ReplyTest {
    @Test
    void descriptorIsSuccess() {
        Reply r = new Reply.Descriptor();
        assertTrue(r instanceof Reply.Success);
        assertTrue(r.carriesDescriptor());
        assertFalse(new Reply.Done().carriesDescriptor());
    }

    @Test
    void denialKeepsItsFields() {
        Reply.Denied r = new Reply.Denied(13, "denied by airlock policy app.policy: read");
        assertEquals(13, r.errno());
        assertEquals("denied by airlock policy app.policy: read", r.reason());
        assertFalse(r.carriesDescriptor());
        assertEquals(1, new Reply.Denied(1, "x").errno());
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, 4096, Integer.MIN_VALUE})
    void errnoOutOfRangeIsRefused(int errno) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Reply.Failed(errno));
        assertEquals("errno " + errno + " out of range 1..4095", e.getMessage());
    }

    @Test
    void errnoZeroIsNotAFailure() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Reply.Failed(0));
        assertEquals("errno 0 means success: a failure needs errno 1..4095", e.getMessage());
        assertEquals(4095, new Reply.Failed(4095).errno());
    }

    /** What makes each kind what it is: a denial has EACCES or EPERM and the policy's words, a broker error its reason. */
    @Test
    void eachKindRefusesFieldsThatWouldMakeItAnother() {
        assertEquals(
                "a denial reports EACCES or EPERM, not errno 2",
                assertThrows(IllegalArgumentException.class, () -> new Reply.Denied(2, "x"))
                        .getMessage());
        assertEquals(
                "a denial needs the policy's reason",
                assertThrows(IllegalArgumentException.class, () -> new Reply.Denied(13, ""))
                        .getMessage());
        assertEquals(
                "a broker error needs a reason",
                assertThrows(IllegalArgumentException.class, () -> new Reply.BrokerError(""))
                        .getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Reply.WatchDescriptor(0));
        assertThrows(NullPointerException.class, () -> new Reply.Status(null));
        assertThrows(NullPointerException.class, () -> new Reply.Data(null));
    }

    @Test
    void nullReasonIsRefused() {
        assertThrows(NullPointerException.class, () -> new Reply.Denied(13, null));
        assertThrows(NullPointerException.class, () -> new Reply.BrokerError(null));
    }

    @Test
    void reasonThatFitsIsKeptWhole() {
        String exactly = "x".repeat(1020) + "\ud83d\ude00"; // 1024 bytes
        assertEquals(exactly, new Reply.Denied(13, exactly).reason());
        assertEquals(exactly, new Reply.BrokerError(exactly).reason());
    }

    @Test
    void longReasonIsCutToTheLimit() {
        assertEquals("y".repeat(Message.MAX_REASON_LENGTH), new Reply.Denied(13, "y".repeat(5000)).reason());
        assertEquals("y".repeat(Message.MAX_REASON_LENGTH), new Reply.BrokerError("y".repeat(5000)).reason());
    }

    @Test
    void longReasonIsNeverCutInsideACharacter() {
        // 1023 bytes of ASCII, then a 4-byte character that does not fit: it goes whole.
        assertEquals("a".repeat(1023), Reply.fit("a".repeat(1023) + "\ud83d\ude00"));
        // 1022 + 2 bytes fit exactly; the next character does not.
        assertEquals("a".repeat(1022) + "\u00e9", Reply.fit("a".repeat(1022) + "\u00e9z"));
        // 1021 + a 3-byte character = 1024.
        assertEquals("a".repeat(1021) + "\u65e5", Reply.fit("a".repeat(1021) + "\u65e5\u65e5"));
        // 1022: a 3-byte character would make 1025.
        assertEquals("a".repeat(1022), new Reply.Denied(13, "a".repeat(1022) + "\u65e5").reason());
        for (int pad = 0; pad < 8; pad++) {
            String cut = new Reply.BrokerError("b".repeat(pad) + "\u00e9\u65e5\ud83d\ude00".repeat(400)).reason();
            int size = cut.getBytes(UTF_8).length;
            assertTrue(size <= Message.MAX_REASON_LENGTH && size > Message.MAX_REASON_LENGTH - 4, pad + ": " + size);
            assertFalse(
                    Character.isHighSurrogate(cut.charAt(cut.length() - 1)),
                    "cut inside a surrogate pair at pad " + pad);
        }
    }

    @Test
    void unpairedSurrogatesBecomeReplacementCharacters() {
        assertEquals(
                "a\ufffdb\ufffd\ud83d\ude00\ufffd", new Reply.Denied(13, "a\ud800b\udc00\ud83d\ude00\ud83d").reason());
    }

    @Test
    void equalityIsByValue() {
        assertEquals(new Reply.Denied(13, "x"), new Reply.Denied(13, "x"));
        assertEquals(new Reply.Denied(13, "x").hashCode(), new Reply.Denied(13, "x").hashCode());
        assertNotEquals(new Reply.Denied(13, "x"), new Reply.Denied(13, "y"));
        assertNotEquals(new Reply.Denied(13, "x"), new Reply.Denied(1, "x"));
        assertNotEquals(new Reply.Failed(13), new Reply.Denied(13, "x"));
        assertNotEquals(new Reply.BrokerError("x"), new Reply.Denied(13, "x"));
        assertEquals(new Reply.Descriptor(), new Reply.Descriptor());
        assertNotEquals(new Reply.Descriptor(), new Reply.Done());
        assertEquals(new Reply.Data(new byte[] {1, 2}), new Reply.Data(new byte[] {1, 2}));
        assertEquals(new Reply.Data(new byte[] {1, 2}).hashCode(), new Reply.Data(new byte[] {1, 2}).hashCode());
        assertNotEquals(new Reply.Data(new byte[] {1, 2}), new Reply.Data(new byte[] {1}));
    }

    @Test
    void dataIsCopiedOnTheWayInAndOut() {
        byte[] in = {1, 2, 3};
        Reply.Data d = new Reply.Data(in);
        in[0] = 9;
        assertArrayEquals(new byte[] {1, 2, 3}, d.bytes());
        d.bytes()[1] = 9;
        assertArrayEquals(new byte[] {1, 2, 3}, d.bytes());
    }

    @Test
    void toStringEscapesControlCharacters() {
        assertEquals("#4294967295 descriptor", new Envelope<Reply>(-1, new Reply.Descriptor()).toString());
        assertEquals(
                "denied errno 13 \"no\\u000aentry \\u0022x\\u0022\"",
                new Reply.Denied(13, "no\nentry \"x\"").toString());
        assertEquals("broker error \"a\\u005cb\"", new Reply.BrokerError("a\\b").toString());
        assertEquals("failed errno 2", new Reply.Failed(2).toString());
    }
}
