package dev.airlock.policy;

/**
 * The comma-separated action-list syntax shared by {@code FilePermission} and
 * {@code SocketPermission}.
 *
 * <p>The JDK scans these lists from the end; the language it accepts is: optional blanks, then a
 * word, then any number of (optional blanks, comma, optional blanks, word), then optional blanks,
 * where blanks are space, tab, CR, LF and form feed and words match ignoring ASCII case only. An
 * all-blank string is malformed; the empty string is "no actions" (the callers decide whether that
 * is allowed). This forward scanner accepts the same language without allocating.
 */
final class ActionLists {

    private ActionLists() {}

    /**
     * The canonical action string of every mask over {@code words} (bit i is {@code words[i]}),
     * in the JDK's order and comma-separated, so rendering a mask never builds a string.
     */
    static String[] canonicalNames(String[] words) {
        String[] names = new String[1 << words.length];
        for (int mask = 0; mask < names.length; mask++) {
            StringBuilder sb = new StringBuilder();
            for (int bit = 0; bit < words.length; bit++) {
                if ((mask & (1 << bit)) != 0) {
                    if (sb.length() > 0) {
                        sb.append(',');
                    }
                    sb.append(words[bit]);
                }
            }
            names[mask] = sb.toString();
        }
        return names;
    }

    /** Bit i of the result is words[i]; 0 for an empty range; -1 when malformed. */
    static int parse(CharSequence s, int from, int to, String[] words) {
        if (from == to) {
            return 0;
        }
        int mask = 0;
        int i = from;
        while (true) {
            i = skipBlanks(s, i, to);
            int matched = -1;
            int matchedLength = 0;
            for (int w = 0; w < words.length; w++) {
                String word = words[w];
                if (word.length() > matchedLength && regionMatchesAsciiIgnoreCase(s, i, to, word)) {
                    matched = w;
                    matchedLength = word.length();
                }
            }
            if (matched < 0) {
                return -1;
            }
            mask |= 1 << matched;
            i = skipBlanks(s, i + matchedLength, to);
            if (i == to) {
                return mask;
            }
            if (s.charAt(i) != ',') {
                return -1;
            }
            i++;
        }
    }

    private static int skipBlanks(CharSequence s, int i, int to) {
        while (i < to) {
            char c = s.charAt(i);
            if (c != ' ' && c != '\t' && c != '\r' && c != '\n' && c != '\f') {
                break;
            }
            i++;
        }
        return i;
    }

    private static boolean regionMatchesAsciiIgnoreCase(CharSequence s, int i, int to, String word) {
        if (to - i < word.length()) {
            return false;
        }
        for (int k = 0; k < word.length(); k++) {
            char c = s.charAt(i + k);
            if (c >= 'A' && c <= 'Z') {
                c = (char) (c + ('a' - 'A'));
            }
            if (c != word.charAt(k)) {
                return false;
            }
        }
        return true;
    }
}
