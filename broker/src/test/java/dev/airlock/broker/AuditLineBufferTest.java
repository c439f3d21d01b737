package dev.airlock.broker;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The audit line buffer writes JSON that the log's own strict reader reads back as written. */
class AuditLineBufferTest {
    private static byte[] bytes(AuditLineBuffer b) {
        return Arrays.copyOf(b.array(), b.size());
    }

    /** The string the log's own strict reader reads back from what the buffer wrote for {@code s}. */
    private static Object readBack(String s) throws Exception {
        AuditLineBuffer b = new AuditLineBuffer(1).ascii("{\"s\":").string(s).ascii('}');
        return AuditJson.object(new String(bytes(b), StandardCharsets.UTF_8)).get("s");
    }

    /** What reading back must give: {@code s}, an unpaired surrogate as {@code ?} as UTF-8 encodes one. */
    private static Object encodable(String s) {
        return s == null ? AuditJson.NULL : new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
    }

    @Test
    void escapesAreTheShortOnesAndOtherControlCharactersAsU00xx() {
        String written = new String(
                bytes(new AuditLineBuffer(1).string("\"\\\n\r\t\b\f\u0000\u001f/\u007f")), StandardCharsets.UTF_8);
        assertEquals("\"\\\"\\\\\\n\\r\\t\\b\\f\\u0000\\u001f/\u007f\"", written);
    }

    @Test
    void stringsReadBackAsWrittenThroughTheLogsOwnReader() throws Exception {
        List<String> cases = Arrays.asList(
                "",
                "/data/in/report.txt",
                "quote \" backslash \\ slash /",
                "\n\r\t\b\f",
                "\u0000\u0001\u001f\u007f",
                "é ü ß",
                "\u20ac \uffff \ufffd",
                "\ud83d\ude00 emoji",
                "lone high \ud83d end",
                "lone low \ude00 end",
                "high at end \ud83d",
                null);
        for (String s : cases) {
            assertEquals(encodable(s), readBack(s), String.valueOf(s));
        }
    }

    @Test
    void randomStringsReadBackAsWritten() throws Exception {
        Random random = new Random(7);
        for (int i = 0; i < 2000; i++) {
            char[] chars = new char[random.nextInt(40)];
            for (int j = 0; j < chars.length; j++) {
                // Mostly ASCII and control characters, some of every UTF-8 length and surrogates.
                chars[j] = switch (random.nextInt(5)) {
                    case 0 -> (char) random.nextInt(0x20);
                    case 1 -> (char) (0x80 + random.nextInt(0x780));
                    case 2 -> (char) (0xd800 + random.nextInt(0x800));
                    case 3 -> (char) random.nextInt(0x10000);
                    default -> (char) (0x20 + random.nextInt(0x60));
                };
            }
            String s = new String(chars);
            assertEquals(encodable(s), readBack(s), s);
            assertArrayEquals(
                    bytes(new AuditLineBuffer(4).string(s)),
                    bytes(new AuditLineBuffer(64).string(s)),
                    "the same bytes whatever the buffer's first size");
        }
    }

    @Test
    void numbersAreDecimal() {
        for (long n : new long[] {0, 7, -7, 10, 4242, Integer.MAX_VALUE, Long.MAX_VALUE, Long.MIN_VALUE}) {
            assertEquals(
                    Long.toString(n), new String(bytes(new AuditLineBuffer(1).number(n)), StandardCharsets.US_ASCII));
        }
    }

    @Test
    void timesAreUtcToTheMicrosecond() {
        DateTimeFormatter reference =
                DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);
        AuditLineBuffer b = new AuditLineBuffer(8);
        Random random = new Random(11);
        for (int i = 0; i < 500; i++) {
            // Several in one second (the second's text is kept) and across seconds and years.
            Instant t = i % 3 == 0
                    ? Instant.ofEpochSecond(random.nextInt(Integer.MAX_VALUE), random.nextInt(1_000_000_000))
                    : Instant.ofEpochSecond(1_796_000_000L + i / 3, random.nextInt(1_000_000_000));
            b.clear().time(t.getEpochSecond(), t.getNano());
            assertEquals("\"" + reference.format(t) + "\"", new String(bytes(b), StandardCharsets.US_ASCII));
        }
    }

    @Test
    void hexIsLowerCaseTwoDigitsAByte() {
        byte[] value = {0, 1, (byte) 0x7f, (byte) 0x80, (byte) 0xab, (byte) 0xff};
        assertEquals("00017f80abff", new String(bytes(new AuditLineBuffer(1).hex(value)), StandardCharsets.US_ASCII));
    }

    @Test
    void growsAsNeededAndGivesBackALargeArrayWhenCleared() {
        AuditLineBuffer b = new AuditLineBuffer(16);
        String path = "/" + "x".repeat(4095);
        for (int i = 0; i < 300; i++) {
            b.string(path).ascii(',');
        }
        assertEquals(300 * (path.length() + 3), b.size());
        assertEquals('"', b.array()[0]);
        b.clear();
        assertEquals(0, b.size());
        assertEquals(16, b.array().length);
    }
}
