package dev.airlock.broker;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;

/**
 * The bytes of audit log lines as they are built: UTF-8, with JSON strings escaped (the two-character
 * escapes, {@code \\u00XX} for other control characters), in one array that grows and is reused. The log builds every
 * allowed record of a busy program in one ({@code --audit-allowed}, tens of thousands a second),
 * so building a line must allocate nothing once the array has grown to a batch: no intermediate
 * strings, no {@code DateTimeFormatter} per line (it makes a {@code BigDecimal} of the fraction),
 * no copy to write it.
 */
final class AuditLineBuffer {
    /** The record times, to the microsecond, in UTC: {@code 2026-12-04T17:20:01.123456Z}. */
    private static final DateTimeFormatter SECONDS =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss").withZone(ZoneOffset.UTC);

    private static final byte[] HEX = {'0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'a', 'b', 'c', 'd', 'e', 'f'};

    /** An array grown beyond this (a batch of long paths) is given back once its lines are taken. */
    private static final int KEEP = 1 << 20;

    private final int initial;
    private byte[] bytes;
    private int size;

    /** The epoch second whose text {@link #second} holds, and that text; a second's is made once. */
    private long secondShown = Long.MIN_VALUE;

    private byte[] second = new byte[0];

    AuditLineBuffer(int capacity) {
        this.initial = capacity;
        this.bytes = new byte[capacity];
    }

    /** The array the bytes are in, valid up to {@link #size}; changes as the buffer grows. */
    byte[] array() {
        return bytes;
    }

    int size() {
        return size;
    }

    /** Empties the buffer, giving back an array that a batch of long lines made large. */
    AuditLineBuffer clear() {
        size = 0;
        if (bytes.length > KEEP) {
            bytes = new byte[initial];
        }
        return this;
    }

    /** Appends {@code text}, which is ASCII (the log's own names and punctuation). */
    AuditLineBuffer ascii(String text) {
        int length = text.length();
        room(length);
        for (int i = 0; i < length; i++) {
            bytes[size++] = (byte) text.charAt(i);
        }
        return this;
    }

    /** Appends the ASCII character {@code c}. */
    AuditLineBuffer ascii(char c) {
        room(1);
        bytes[size++] = (byte) c;
        return this;
    }

    /** Appends {@code value} in decimal. */
    AuditLineBuffer number(long value) {
        if (value == Long.MIN_VALUE) {
            return ascii(Long.toString(value));
        }
        room(20);
        if (value < 0) {
            bytes[size++] = '-';
            value = -value;
        }
        int start = size;
        do {
            bytes[size++] = (byte) ('0' + value % 10);
            value /= 10;
        } while (value != 0);
        reverse(start, size - 1);
        return this;
    }

    /** Appends {@code true} or {@code false}. */
    AuditLineBuffer bool(boolean value) {
        return ascii(value ? "true" : "false");
    }

    /** Appends {@code length} bytes of {@code from} from {@code offset}. */
    AuditLineBuffer bytes(byte[] from, int offset, int length) {
        room(length);
        System.arraycopy(from, offset, bytes, size, length);
        size += length;
        return this;
    }

    /** Appends {@code value} as lower-case hexadecimal, two digits a byte. */
    AuditLineBuffer hex(byte[] value) {
        room(2 * value.length);
        for (byte b : value) {
            bytes[size++] = HEX[(b >> 4) & 0xf];
            bytes[size++] = HEX[b & 0xf];
        }
        return this;
    }

    /** Appends the time of {@code epochSecond} and {@code nanos} in quotes, as the log writes times. */
    AuditLineBuffer time(long epochSecond, int nanos) {
        if (epochSecond != secondShown) {
            second = SECONDS.format(java.time.Instant.ofEpochSecond(epochSecond))
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            secondShown = epochSecond;
        }
        room(second.length + 10);
        bytes[size++] = '"';
        System.arraycopy(second, 0, bytes, size, second.length);
        size += second.length;
        bytes[size++] = '.';
        int micros = nanos / 1000;
        for (int divisor = 100_000; divisor > 0; divisor /= 10) {
            bytes[size++] = (byte) ('0' + micros / divisor % 10);
        }
        bytes[size++] = 'Z';
        bytes[size++] = '"';
        return this;
    }

    /**
     * Appends {@code value} as a JSON string in UTF-8, or {@code null}: {@code \\"}, {@code
     * \\\\}, {@code \\n}, {@code \\r}, {@code \\t}, {@code \\b}, {@code \\f}, other control
     * characters as {@code \\u00XX}, and an unpaired surrogate as {@code ?}, as {@code String.getBytes} encodes
     * one.
     */
    AuditLineBuffer string(String value) {
        if (value == null) {
            return ascii("null");
        }
        int length = value.length();
        room(1);
        bytes[size++] = '"';
        for (int i = 0; i < length; i++) {
            room(6); // the most one character or surrogate pair takes: a control character's six-byte escape
            char c = value.charAt(i);
            if (c < 0x80) {
                switch (c) {
                    case '"' -> escape('"');
                    case '\\' -> escape('\\');
                    case '\n' -> escape('n');
                    case '\r' -> escape('r');
                    case '\t' -> escape('t');
                    case '\b' -> escape('b');
                    case '\f' -> escape('f');
                    default -> {
                        if (c < 0x20) {
                            bytes[size++] = '\\';
                            bytes[size++] = 'u';
                            bytes[size++] = '0';
                            bytes[size++] = '0';
                            bytes[size++] = HEX[c >> 4];
                            bytes[size++] = HEX[c & 0xf];
                        } else {
                            bytes[size++] = (byte) c;
                        }
                    }
                }
            } else if (c < 0x800) {
                bytes[size++] = (byte) (0xc0 | c >> 6);
                bytes[size++] = (byte) (0x80 | (c & 0x3f));
            } else if (Character.isHighSurrogate(c)
                    && i + 1 < length
                    && Character.isLowSurrogate(value.charAt(i + 1))) {
                int code = Character.toCodePoint(c, value.charAt(++i));
                bytes[size++] = (byte) (0xf0 | code >> 18);
                bytes[size++] = (byte) (0x80 | (code >> 12 & 0x3f));
                bytes[size++] = (byte) (0x80 | (code >> 6 & 0x3f));
                bytes[size++] = (byte) (0x80 | (code & 0x3f));
            } else if (Character.isSurrogate(c)) {
                bytes[size++] = '?';
            } else {
                bytes[size++] = (byte) (0xe0 | c >> 12);
                bytes[size++] = (byte) (0x80 | (c >> 6 & 0x3f));
                bytes[size++] = (byte) (0x80 | (c & 0x3f));
            }
        }
        room(1);
        bytes[size++] = '"';
        return this;
    }

    private void escape(char c) {
        bytes[size++] = '\\';
        bytes[size++] = (byte) c;
    }

    private void reverse(int from, int to) {
        while (from < to) {
            byte b = bytes[from];
            bytes[from++] = bytes[to];
            bytes[to--] = b;
        }
    }

    private void room(int more) {
        if (bytes.length - size < more) {
            bytes = Arrays.copyOf(bytes, Math.max(2 * bytes.length, size + more));
        }
    }
}
