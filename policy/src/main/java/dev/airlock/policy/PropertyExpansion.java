package dev.airlock.policy;

import java.util.function.Function;

/**
 * Expands {@code ${name}} in policy strings the way the JDK's policy file reader does.
 *
 * <p>The JDK's rules, kept here: {@code ${/}} is the file separator; {@code ${name}} is the system
 * property {@code name} (no trimming, no defaults, no nesting); a <code>${</code> without a closing
 * <code>}</code> is kept literally, as is anything of the form {@code ${{...}}} (those are left for a
 * later stage that resolves {@code self} and keystore aliases); a property that is not set makes
 * the expansion fail, and the caller then ignores the entry the JDK ignores. {@code ${}} with an
 * empty name makes the JDK's {@code System.getProperty} throw, which makes the JDK ignore the whole
 * policy file; Airlock reports it as an error instead.
 */
final class PropertyExpansion {

    /** Thrown when a property in a string is not set. */
    static final class UndefinedPropertyException extends Exception {
        private static final long serialVersionUID = 1L;
        final String property;

        UndefinedPropertyException(String property) {
            super("cannot expand ${" + property + "}: the property is not set", null, false, false);
            this.property = property;
        }
    }

    /** Thrown for {@code ${}}. */
    static final class EmptyPropertyNameException extends Exception {
        private static final long serialVersionUID = 1L;

        EmptyPropertyNameException() {
            super("empty property name", null, false, false);
        }
    }

    private PropertyExpansion() {}

    static String expand(String value, Function<String, String> properties)
            throws UndefinedPropertyException, EmptyPropertyNameException {
        if (value == null) {
            return null;
        }
        int start = value.indexOf("${");
        if (start < 0) {
            return value;
        }
        StringBuilder out = new StringBuilder(value.length() + 16);
        int copied = 0;
        int n = value.length();
        while (start >= 0) {
            out.append(value, copied, start);
            int open = start + 2;
            if (open < n && value.charAt(open) == '{') {
                // ${{...}} is not a property: keep it, up to and including its "}}".
                int close = value.indexOf("}}", open);
                if (close < 0) {
                    out.append(value, start, n);
                    return out.toString();
                }
                out.append(value, start, close + 2);
                copied = close + 2;
            } else {
                int close = value.indexOf('}', open);
                if (close < 0) {
                    out.append(value, start, n);
                    return out.toString();
                }
                String name = value.substring(open, close);
                if (name.equals("/")) {
                    out.append('/');
                } else if (name.isEmpty()) {
                    throw new EmptyPropertyNameException();
                } else {
                    String v = properties.apply(name);
                    if (v == null) {
                        throw new UndefinedPropertyException(name);
                    }
                    out.append(v);
                }
                copied = close + 1;
            }
            start = value.indexOf("${", copied);
        }
        out.append(value, copied, n);
        return out.toString();
    }
}
