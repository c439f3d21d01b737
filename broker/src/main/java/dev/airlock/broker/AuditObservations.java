package dev.airlock.broker;

import dev.airlock.policy.FileActions;
import dev.airlock.policy.PolicyLearner;
import dev.airlock.policy.SocketActions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the allowed checks of an audit log ({@code airlock run --audit FILE --audit-allowed}) back
 * as what {@code airlock learn} learns from: one {@link PolicyLearner.Observation} per allowed
 * check of a {@code "request"} line. Lines of the other types ({@code run}, {@code suppressed},
 * {@code seal}) are skipped. The reader is strict, for the one format the broker writes: a line
 * that is not a JSON object, or a request without its fields of the right types, is an
 * {@link AirlockException} naming the line, never skipped (learning from a log it half
 * understood would write a policy that grants less than the program used, or more).
 */
final class AuditObservations {
    private AuditObservations() {}

    /** The observations of every allowed check in {@code lines}, in order. */
    static List<PolicyLearner.Observation> read(String source, List<String> lines) throws AirlockException {
        List<PolicyLearner.Observation> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isEmpty()) {
                continue;
            }
            try {
                read(new Json(lines.get(i)).document(), out);
            } catch (IllegalArgumentException e) {
                throw new AirlockException(ExitCodes.USAGE, source + ":" + (i + 1) + ": " + e.getMessage());
            }
        }
        return out;
    }

    private static void read(Object document, List<PolicyLearner.Observation> out) {
        Map<?, ?> record = as(Map.class, document, "the record");
        String type = as(String.class, record.get("type"), "type");
        if (!type.equals("request")) {
            return;
        }
        String op = as(String.class, record.get("op"), "op");
        for (Object c : as(List.class, record.get("checks"), "checks")) {
            Map<?, ?> check = as(Map.class, c, "a check");
            if (!as(Boolean.class, check.get("allowed"), "allowed")) {
                continue;
            }
            String kind = as(String.class, check.get("kind"), "kind");
            String target = as(String.class, check.get("target"), "target");
            String actions = as(String.class, check.get("actions"), "actions");
            Set<String> names = new LinkedHashSet<>();
            Object given = check.get("names");
            if (given != null) {
                for (Object n : as(List.class, given, "names")) {
                    names.add(as(String.class, n, "a name"));
                }
            }
            PolicyLearner.Observation o = switch (kind) {
                case "file" ->
                    new PolicyLearner.Observation(
                            PolicyLearner.Kind.FILE, target, FileActions.parse(actions), op, names);
                case "socket" ->
                    new PolicyLearner.Observation(
                            PolicyLearner.Kind.SOCKET, target, SocketActions.parse(actions), op, names);
                default -> throw new IllegalArgumentException("kind is \"" + kind + "\", not file or socket");
            };
            out.add(o);
        }
    }

    private static <T> T as(Class<T> type, Object value, String what) {
        if (!type.isInstance(value)) {
            throw new IllegalArgumentException(what + " is "
                    + (value == null
                            ? "missing or null"
                            : "not a " + type.getSimpleName().toLowerCase(java.util.Locale.ROOT)));
        }
        return type.cast(value);
    }

    /** A strict reader of one JSON value (RFC 8259): objects, arrays, strings, numbers, true, false, null. */
    static final class Json {
        private final String s;
        private int pos;

        Json(String s) {
            this.s = s;
        }

        /** The whole text as one value, nothing after it but blanks. */
        Object document() {
            Object v = value();
            blanks();
            if (pos != s.length()) {
                throw error("text after the JSON value");
            }
            return v;
        }

        private Object value() {
            blanks();
            if (pos >= s.length()) {
                throw error("end of line where a value was expected");
            }
            char c = s.charAt(pos);
            return switch (c) {
                case '{' -> object();
                case '[' -> array();
                case '"' -> string();
                case 't' -> word("true", true);
                case 'f' -> word("false", false);
                case 'n' -> word("null", null);
                default -> number();
            };
        }

        private Map<String, Object> object() {
            Map<String, Object> m = new LinkedHashMap<>();
            pos++;
            blanks();
            if (peek() == '}') {
                pos++;
                return m;
            }
            while (true) {
                blanks();
                if (peek() != '"') {
                    throw error("expected a member name");
                }
                String key = string();
                blanks();
                expect(':');
                if (m.containsKey(key)) {
                    throw error("member \"" + key + "\" twice");
                }
                m.put(key, value());
                blanks();
                if (peek() == ',') {
                    pos++;
                    continue;
                }
                expect('}');
                return m;
            }
        }

        private List<Object> array() {
            List<Object> a = new ArrayList<>();
            pos++;
            blanks();
            if (peek() == ']') {
                pos++;
                return a;
            }
            while (true) {
                a.add(value());
                blanks();
                if (peek() == ',') {
                    pos++;
                    continue;
                }
                expect(']');
                return a;
            }
        }

        private String string() {
            pos++;
            StringBuilder b = new StringBuilder();
            while (true) {
                if (pos >= s.length()) {
                    throw error("unterminated string");
                }
                char c = s.charAt(pos++);
                if (c == '"') {
                    return b.toString();
                }
                if (c < 0x20) {
                    throw error("control character in a string");
                }
                if (c != '\\') {
                    b.append(c);
                    continue;
                }
                char e = pos < s.length() ? s.charAt(pos++) : 0;
                switch (e) {
                    case '"', '\\', '/' -> b.append(e);
                    case 'b' -> b.append('\b');
                    case 'f' -> b.append('\f');
                    case 'n' -> b.append('\n');
                    case 'r' -> b.append('\r');
                    case 't' -> b.append('\t');
                    case 'u' -> {
                        if (pos + 4 > s.length()) {
                            throw error("short \\u escape");
                        }
                        try {
                            b.append((char) Integer.parseInt(s.substring(pos, pos + 4), 16));
                        } catch (NumberFormatException x) {
                            throw error("bad \\u escape");
                        }
                        pos += 4;
                    }
                    default -> throw error("bad escape");
                }
            }
        }

        private Object number() {
            int start = pos;
            while (pos < s.length() && "+-0123456789.eE".indexOf(s.charAt(pos)) >= 0) {
                pos++;
            }
            String n = s.substring(start, pos);
            if (!n.matches("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?")) {
                throw error(n.isEmpty() ? "unexpected character '" + s.charAt(start) + "'" : "bad number " + n);
            }
            return n.matches("-?[0-9]{1,18}") ? (Object) Long.parseLong(n) : (Object) Double.parseDouble(n);
        }

        private Object word(String w, Object v) {
            if (!s.startsWith(w, pos)) {
                throw error("unexpected character '" + s.charAt(pos) + "'");
            }
            pos += w.length();
            return v;
        }

        private char peek() {
            return pos < s.length() ? s.charAt(pos) : 0;
        }

        private void expect(char c) {
            if (peek() != c) {
                throw error("expected '" + c + "'");
            }
            pos++;
        }

        private void blanks() {
            while (pos < s.length() && " \t\r\n".indexOf(s.charAt(pos)) >= 0) {
                pos++;
            }
        }

        private IllegalArgumentException error(String what) {
            return new IllegalArgumentException("not the audit format: " + what + " at column " + (pos + 1));
        }
    }
}
