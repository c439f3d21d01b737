package dev.airlock.policy;

/**
 * Splits a policy file into the tokens the JDK's policy parser sees.
 *
 * <p>The JDK reads policy files with a {@code java.io.StreamTokenizer} configured so that: a word
 * is a run of ASCII letters and digits, {@code . _ $}, the Latin-1 characters from U+00A0 to
 * U+00FF and every character above U+00FF; characters U+0000 to U+0020 are blanks; {@code "} and
 * {@code '} open quoted strings with C-style escapes; {@code //} and {@code /* *}{@code /} are
 * comments; every other character is a token of its own. This lexer reproduces that, with three
 * deliberate differences that turn silent surprises into errors: a string that reaches the end of
 * its line or of the file, and a comment that reaches the end of the file, are errors here, where
 * the JDK quietly ends the string at the line break or treats the rest of the file as a comment.
 *
 * <p>Lines and columns are tracked exactly (the JDK's tokenizer miscounts blank lines inside block
 * comments, so its line numbers cannot be trusted there).
 */
final class PolicyLexer {

    static final int EOF = 0;
    static final int WORD = 1;
    static final int STRING = 2;
    static final int SINGLE_QUOTED = 3;
    static final int CHAR = 4;

    private final String file;
    private final String text;
    private final int length;
    private int pos;
    private int line = 1;
    private int lineStart;

    /** The current token. */
    int kind;
    /** The word or the decoded string of the current token. */
    String value;
    /** The character of a {@link #CHAR} token. */
    char ch;

    int tokenLine;
    int tokenColumn;

    private final StringBuilder buffer = new StringBuilder();

    PolicyLexer(String file, String text) {
        this.file = file;
        this.text = text;
        this.length = text.length();
    }

    /** Moves to the next token. */
    void next() throws PolicySyntaxException {
        value = null;
        while (true) {
            if (pos >= length) {
                mark(pos);
                kind = EOF;
                return;
            }
            char c = text.charAt(pos);
            if (c <= ' ') {
                consumeBlank(c);
                continue;
            }
            if (c == '/' && pos + 1 < length) {
                char d = text.charAt(pos + 1);
                if (d == '/') {
                    skipLineComment();
                    continue;
                }
                if (d == '*') {
                    skipBlockComment();
                    continue;
                }
            }
            mark(pos);
            if (isWordChar(c)) {
                int start = pos;
                while (pos < length && isWordChar(text.charAt(pos))) {
                    pos++;
                }
                kind = WORD;
                value = text.substring(start, pos);
                return;
            }
            if (c == '"' || c == '\'') {
                readQuoted(c);
                return;
            }
            kind = CHAR;
            this.ch = c;
            pos++;
            return;
        }
    }

    /** Whether the JDK's tokenizer puts {@code c} in a word. */
    static boolean isWordChar(char c) {
        return (c >= 'a' && c <= 'z')
                || (c >= 'A' && c <= 'Z')
                || (c >= '0' && c <= '9')
                || c == '.'
                || c == '_'
                || c == '$'
                || c >= 0xA0;
    }

    private void consumeBlank(char c) {
        pos++;
        if (c == '\n') {
            newLine();
        } else if (c == '\r') {
            if (pos < length && text.charAt(pos) == '\n') {
                pos++;
            }
            newLine();
        }
    }

    private void newLine() {
        line++;
        lineStart = pos;
    }

    private void skipLineComment() {
        while (pos < length) {
            char c = text.charAt(pos);
            if (c == '\n' || c == '\r') {
                return;
            }
            pos++;
        }
    }

    private void skipBlockComment() throws PolicySyntaxException {
        int startLine = line;
        int startColumn = column(pos);
        pos += 2;
        while (pos < length) {
            char c = text.charAt(pos);
            if (c == '*' && pos + 1 < length && text.charAt(pos + 1) == '/') {
                pos += 2;
                return;
            }
            consumeBlankOrOther(c);
        }
        throw new PolicySyntaxException(
                file, startLine, startColumn, "unterminated comment: expected '*/', found end of file");
    }

    private void consumeBlankOrOther(char c) {
        if (c == '\n' || c == '\r') {
            consumeBlank(c);
        } else {
            pos++;
        }
    }

    private void readQuoted(char quote) throws PolicySyntaxException {
        int startLine = tokenLine;
        int startColumn = tokenColumn;
        buffer.setLength(0);
        pos++;
        while (true) {
            if (pos >= length) {
                throw unterminated(quote, startLine, startColumn, "end of file");
            }
            char c = text.charAt(pos);
            if (c == quote) {
                pos++;
                break;
            }
            if (c == '\n' || c == '\r') {
                throw unterminated(quote, startLine, startColumn, "end of line");
            }
            if (c != '\\') {
                buffer.append(c);
                pos++;
                continue;
            }
            pos++;
            if (pos >= length) {
                throw unterminated(quote, startLine, startColumn, "end of file");
            }
            char e = text.charAt(pos);
            if (e >= '0' && e <= '7') {
                // Octal, as StreamTokenizer: up to three digits, three only when the first is 0-3.
                int v = e - '0';
                pos++;
                if (pos < length && isOctal(text.charAt(pos))) {
                    v = v * 8 + (text.charAt(pos) - '0');
                    pos++;
                    if (e <= '3' && pos < length && isOctal(text.charAt(pos))) {
                        v = v * 8 + (text.charAt(pos) - '0');
                        pos++;
                    }
                }
                buffer.append((char) v);
                continue;
            }
            pos++;
            switch (e) {
                case 'a' -> buffer.append('\u0007');
                case 'b' -> buffer.append('\b');
                case 'f' -> buffer.append('\f');
                case 'n' -> buffer.append('\n');
                case 'r' -> buffer.append('\r');
                case 't' -> buffer.append('\t');
                case 'v' -> buffer.append('\u000B');
                case '\n' -> {
                    // A backslash before a line break keeps the break in the string (as the JDK does).
                    buffer.append('\n');
                    newLine();
                }
                case '\r' -> {
                    buffer.append('\r');
                    if (pos < length && text.charAt(pos) == '\n') {
                        // The JDK ends the string at this LF, unterminated.
                        throw unterminated(quote, startLine, startColumn, "end of line");
                    }
                    newLine();
                }
                default -> buffer.append(e);
            }
        }
        kind = quote == '"' ? STRING : SINGLE_QUOTED;
        value = buffer.toString();
    }

    private static boolean isOctal(char c) {
        return c >= '0' && c <= '7';
    }

    private PolicySyntaxException unterminated(char quote, int l, int c, String found) {
        return new PolicySyntaxException(file, l, c, "unterminated string: expected '" + quote + "', found " + found);
    }

    private void mark(int at) {
        tokenLine = line;
        tokenColumn = column(at);
    }

    private int column(int at) {
        return text.codePointCount(lineStart, at) + 1;
    }

    /** Describes the current token for a "found ..." message. */
    String describe() {
        return switch (kind) {
            case EOF -> "end of file";
            case WORD -> "'" + shorten(value) + "'";
            case STRING -> "string \"" + shorten(value) + "\"";
            case SINGLE_QUOTED -> "single-quoted string '" + shorten(value) + "' (policy strings use double quotes)";
            default -> describeChar(ch);
        };
    }

    static String describeChar(char c) {
        if (c < 0x20 || (c >= 0x7F && c < 0xA0)) {
            return String.format("character U+%04X", (int) c);
        }
        return "'" + c + "'";
    }

    static String shorten(String s) {
        StringBuilder sb = new StringBuilder();
        int n = Math.min(s.length(), 60);
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7F) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        if (s.length() > n) {
            sb.append("...");
        }
        return sb.toString();
    }

    PolicySyntaxException error(String message) {
        return new PolicySyntaxException(file, tokenLine, tokenColumn, message);
    }

    String file() {
        return file;
    }
}
