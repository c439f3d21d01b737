package dev.airlock.broker;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The strict reader of one line of the audit log, for {@code airlock audit verify} and {@code
 * show} ({@link AuditLineBuffer} writes the lines, with the escapes RFC 8259 requires). Objects read as {@link LinkedHashMap} in their order, arrays as lists, numbers as
 * {@link Long} (the log writes integers only), {@code null} as {@link #NULL}.
 */
final class AuditJson {
    /** What a JSON {@code null} reads as. */
    static final Object NULL = new Object() {
        @Override
        public String toString() {
            return "null";
        }
    };

    private final String text;
    private int at;

    private AuditJson(String text) {
        this.text = text;
    }

    /** The object one line holds. */
    static Map<String, Object> object(String line) throws AuditFormatException {
        AuditJson reader = new AuditJson(line);
        Object value = reader.value();
        if (reader.at != line.length()) {
            throw new AuditFormatException("text after the record at column " + (reader.at + 1));
        }
        if (!(value instanceof Map)) {
            throw new AuditFormatException("not a JSON object");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> map = (Map<String, Object>) value;
        return map;
    }

    private Object value() throws AuditFormatException {
        if (at >= text.length()) {
            throw fail("the record ends early");
        }
        char c = text.charAt(at);
        switch (c) {
            case '{':
                return objectValue();
            case '[':
                return arrayValue();
            case '"':
                return stringValue();
            case 't':
                return word("true", true);
            case 'f':
                return word("false", false);
            case 'n':
                return word("null", NULL);
            default:
                if (c == '-' || (c >= '0' && c <= '9')) {
                    return number();
                }
                throw fail("unexpected '" + c + "'");
        }
    }

    private Map<String, Object> objectValue() throws AuditFormatException {
        Map<String, Object> map = new LinkedHashMap<>();
        at++;
        if (peek() == '}') {
            at++;
            return map;
        }
        while (true) {
            if (peek() != '"') {
                throw fail("expected a member name");
            }
            String key = stringValue();
            expect(':');
            if (map.put(key, value()) != null) {
                throw fail("member \"" + key + "\" twice");
            }
            char c = next();
            if (c == '}') {
                return map;
            }
            if (c != ',') {
                throw fail("expected , or }");
            }
        }
    }

    private List<Object> arrayValue() throws AuditFormatException {
        List<Object> list = new ArrayList<>();
        at++;
        if (peek() == ']') {
            at++;
            return list;
        }
        while (true) {
            list.add(value());
            char c = next();
            if (c == ']') {
                return list;
            }
            if (c != ',') {
                throw fail("expected , or ]");
            }
        }
    }

    private String stringValue() throws AuditFormatException {
        at++;
        StringBuilder b = new StringBuilder();
        while (true) {
            char c = next();
            if (c == '"') {
                return b.toString();
            }
            if (c < 0x20) {
                throw fail("a control character in a string");
            }
            if (c != '\\') {
                b.append(c);
                continue;
            }
            char e = next();
            switch (e) {
                case '"', '\\', '/' -> b.append(e);
                case 'n' -> b.append('\n');
                case 'r' -> b.append('\r');
                case 't' -> b.append('\t');
                case 'b' -> b.append('\b');
                case 'f' -> b.append('\f');
                case 'u' -> {
                    if (at + 4 > text.length()) {
                        throw fail("a \\u escape ends early");
                    }
                    try {
                        b.append((char) Integer.parseInt(text.substring(at, at + 4), 16));
                    } catch (NumberFormatException x) {
                        throw fail("a \\u escape is not hexadecimal");
                    }
                    at += 4;
                }
                default -> throw fail("unknown escape \\" + e);
            }
        }
    }

    private Long number() throws AuditFormatException {
        int start = at;
        if (text.charAt(at) == '-') {
            at++;
        }
        while (at < text.length() && Character.isDigit(text.charAt(at))) {
            at++;
        }
        try {
            return Long.valueOf(text.substring(start, at));
        } catch (NumberFormatException e) {
            throw fail("not an integer");
        }
    }

    private Object word(String word, Object value) throws AuditFormatException {
        if (!text.startsWith(word, at)) {
            throw fail("unexpected text");
        }
        at += word.length();
        return value;
    }

    private char peek() throws AuditFormatException {
        if (at >= text.length()) {
            throw fail("the record ends early");
        }
        return text.charAt(at);
    }

    private char next() throws AuditFormatException {
        char c = peek();
        at++;
        return c;
    }

    private void expect(char c) throws AuditFormatException {
        if (next() != c) {
            throw fail("expected " + c);
        }
    }

    private AuditFormatException fail(String why) {
        return new AuditFormatException(why + " at column " + (at + 1));
    }

    /** A line that is not a record of the audit log's JSON. */
    static final class AuditFormatException extends Exception {
        private static final long serialVersionUID = 1L;

        AuditFormatException(String message) {
            super(message);
        }
    }
}
