package dev.airlock.ipc;

import static java.nio.charset.StandardCharsets.UTF_8;
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
        Reply r = Reply.descriptor(12);
        assertEquals(12, r.id());
        assertEquals(0, r.errno());
        assertEquals("", r.reason());
        assertTrue(r.hasDescriptor());
    }

    @Test
    void errorKeepsItsFields() {
        Reply r = Reply.error(-3, 13, "denied by airlock policy app.policy: read");
        assertEquals(-3, r.id());
        assertEquals(13, r.errno());
        assertEquals("denied by airlock policy app.policy: read", r.reason());
        assertFalse(r.hasDescriptor());
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, 4096, Integer.MIN_VALUE})
    void errnoOutOfRangeIsRefused(int errno) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Reply.error(1, errno, ""));
        assertEquals("errno " + errno + " out of range 0..4095", e.getMessage());
    }

    @Test
    void errnoZeroIsNotAnError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Reply.error(1, 0, ""));
        assertEquals("errno 0 means success: an error reply needs errno 1..4095", e.getMessage());
        assertEquals(4095, Reply.error(1, 4095, "").errno());
    }

    @Test
    void nullReasonIsRefused() {
        assertThrows(NullPointerException.class, () -> Reply.error(1, 2, null));
    }

    @Test
    void reasonThatFitsIsKeptWhole() {
        String exactly = "x".repeat(1020) + "\ud83d\ude00"; // 1024 bytes
        assertEquals(exactly, Reply.error(1, 2, exactly).reason());
    }

    @Test
    void longReasonIsCutToTheLimit() {
        Reply r = Reply.error(1, 2, "y".repeat(5000));
        assertEquals("y".repeat(Message.MAX_REASON_LENGTH), r.reason());
    }

    @Test
    void longReasonIsNeverCutInsideACharacter() {
        // 1023 bytes of ASCII, then a 4-byte character that does not fit: it goes whole.
        assertEquals("a".repeat(1023), Reply.error(1, 2, "a".repeat(1023) + "\ud83d\ude00").reason());
        // 1022 + 2 bytes fit exactly; the next character does not.
        assertEquals("a".repeat(1022) + "\u00e9", Reply.error(1, 2, "a".repeat(1022) + "\u00e9z").reason());
        // 1021 + a 3-byte character = 1024.
        assertEquals("a".repeat(1021) + "\u65e5", Reply.error(1, 2, "a".repeat(1021) + "\u65e5\u65e5").reason());
        // 1022: a 3-byte character would make 1025.
        assertEquals("a".repeat(1022), Reply.error(1, 2, "a".repeat(1022) + "\u65e5").reason());
        for (int pad = 0; pad < 8; pad++) {
            String cut = Reply.error(1, 2, "b".repeat(pad) + "\u00e9\u65e5\ud83d\ude00".repeat(400)).reason();
            int size = cut.getBytes(UTF_8).length;
            assertTrue(size <= Message.MAX_REASON_LENGTH && size > Message.MAX_REASON_LENGTH - 4, pad + ": " + size);
            assertFalse(Character.isHighSurrogate(cut.charAt(cut.length() - 1)), "cut inside a surrogate pair at pad " + pad);
        }
    }

    @Test
    void unpairedSurrogatesBecomeReplacementCharacters() {
        assertEquals("a\ufffdb\ufffd\ud83d\ude00\ufffd", Reply.error(1, 2, "a\ud800b\udc00\ud83d\ude00\ud83d").reason());
    }

    @Test
    void equalityIsByValue() {
        assertEquals(Reply.error(1, 2, "x"), Reply.error(1, 2, "x"));
        assertEquals(Reply.error(1, 2, "x").hashCode(), Reply.error(1, 2, "x").hashCode());
        assertNotEquals(Reply.error(1, 2, "x"), Reply.error(1, 2, "y"));
        assertNotEquals(Reply.error(1, 2, "x"), Reply.error(1, 3, "x"));
        assertNotEquals(Reply.error(1, 2, "x"), Reply.error(2, 2, "x"));
        assertNotEquals(Reply.descriptor(1), Reply.descriptor(2));
        assertEquals(Reply.descriptor(1), Reply.descriptor(1));
    }

    @Test
    void toStringEscapesControlCharacters() {
        assertEquals("REPLY #4294967295 descriptor", Reply.descriptor(-1).toString());
        assertEquals("REPLY #5 errno 13 \"no\\u000aentry \\u0022x\\u0022\"", Reply.error(5, 13, "no\nentry \"x\"").toString());
    }
}
