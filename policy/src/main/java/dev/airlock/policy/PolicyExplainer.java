package dev.airlock.policy;

import java.io.BufferedReader;
import java.io.IOException;
import java.util.Objects;
import java.util.Optional;

/**
 * Answers {@code ACTION TARGET} queries against a policy, for {@code airlock explain}: the quickest
 * way to find out why a program was denied, and a way to test a policy with a list of requests.
 *
 * <p>A query is an action list and a target separated by blanks: file actions and a path
 * ({@code read /srv/data/x}, {@code read,write relative/path}) or socket actions and
 * {@code host:port} ({@code connect db.example.com:5432}, {@code connect [::1]:80},
 * {@code listen localhost:0}; {@code resolve} may omit the port). The path is everything after
 * the blanks that follow the action, up to the end of the line less trailing blanks.
 *
 * <p>Each answer is one line:
 * <pre>
 * ALLOW read /srv/data/x by app.policy:12
 * ALLOW read /srv/data/../x as /srv/x by app.policy:12
 * DENY read /etc/shadow
 * DENY write /data/in/x (closest grant: app.policy:3 "/data/in/-" grants read, not write)
 * ERROR frobnicate /x: expected file actions or socket actions, found 'frobnicate'
 * </pre>
 * {@code as} appears when the normalized path differs from the path as written; {@code by} names
 * the first permission entry that granted the request; a denial names the grant that came closest
 * when one did, as the program's exception does ({@link ClosestGrant}). Nothing is compiled per query and answers
 * are appended to a caller's buffer, so a million queries go through in about a second.
 */
public final class PolicyExplainer {

    private final Policy policy;

    public PolicyExplainer(Policy policy) {
        this.policy = Objects.requireNonNull(policy, "policy");
    }

    /** Answers one query. */
    public String explain(String query) {
        StringBuilder sb = new StringBuilder(query.length() + 48);
        explain(query, sb);
        return sb.toString();
    }

    /** How many queries {@link #explainAll} answered, and how many of the answers were ERROR. */
    public record Tally(long queries, long errors) {}

    /**
     * Answers every non-blank line of {@code in} (lines starting with {@code #} are comments),
     * writing one answer line per query.
     *
     * @return the number of queries answered and of ERROR answers among them
     */
    public Tally explainAll(BufferedReader in, Appendable out) throws IOException {
        StringBuilder sb = new StringBuilder(256);
        long n = 0;
        long errors = 0;
        String line;
        while ((line = in.readLine()) != null) {
            int start = skipBlanks(line, 0);
            if (start == line.length() || line.charAt(start) == '#') {
                continue;
            }
            sb.setLength(0);
            if (!explain(line, sb)) {
                errors++;
            }
            sb.append('\n');
            out.append(sb);
            n++;
        }
        return new Tally(n, errors);
    }

    /**
     * Appends the answer to {@code query}, without a line break.
     *
     * @return false when the answer is ERROR (a malformed query), true for ALLOW and DENY
     */
    public boolean explain(String query, StringBuilder out) {
        int n = query.length();
        while (n > 0 && isBlank(query.charAt(n - 1))) {
            n--;
        }
        int actionStart = Math.min(skipBlanks(query, 0), n);
        int actionEnd = actionStart;
        while (actionEnd < n && !isBlank(query.charAt(actionEnd))) {
            actionEnd++;
        }
        int targetStart = skipBlanks(query, actionEnd);
        if (actionStart == n) {
            error(out, query, actionStart, n, "expected ACTION TARGET, found an empty query");
            return false;
        }
        if (targetStart >= n) {
            int socket = SocketActions.parseOrMinusOne(query.subSequence(actionStart, actionEnd));
            if (socket == SocketActions.RESOLVE) {
                error(out, query, actionStart, n, "expected resolve HOST, found no host");
            } else {
                error(out, query, actionStart, n, "expected ACTION TARGET, found no target");
            }
            return false;
        }
        CharSequence action = query.subSequence(actionStart, actionEnd);
        int fileActions = FileActions.parseOrMinusOne(action);
        if (fileActions > 0) {
            String path = query.substring(targetStart, n);
            FileDecision d = policy.decideFile(path, fileActions);
            answer(out, d.allowed(), query, actionStart, actionEnd, targetStart, n);
            if (!d.normalizedPath().equals(path)) {
                out.append(" as ").append(d.normalizedPath());
            }
            if (d.allowed()) {
                out.append(" by ").append(d.rule());
            } else {
                closest(out, d.closest());
            }
            return true;
        }
        int socketActions = SocketActions.parseOrMinusOne(action);
        if (socketActions <= 0) {
            error(
                    out,
                    query,
                    actionStart,
                    n,
                    "expected file actions (read, write, execute, delete,"
                            + " readlink) or socket actions (connect, listen, accept, resolve), found '"
                            + action + "'");
            return false;
        }
        String host;
        int port;
        if (query.charAt(targetStart) == '[') {
            int close = query.indexOf(']', targetStart);
            if (close < 0 || close >= n) {
                error(out, query, actionStart, n, "expected ']' after an IPv6 address, found none");
                return false;
            }
            host = query.substring(targetStart + 1, close);
            if (close + 1 == n) {
                port = -1;
            } else if (query.charAt(close + 1) != ':') {
                error(out, query, actionStart, n, "expected ':' after ']', found '" + query.charAt(close + 1) + "'");
                return false;
            } else {
                port = port(query, close + 2, n);
                if (port < 0) {
                    error(
                            out,
                            query,
                            actionStart,
                            n,
                            "expected a port from 0 to 65535 after ':', found '" + query.substring(close + 2, n) + "'");
                    return false;
                }
            }
        } else {
            int colon = -1;
            for (int i = targetStart; i < n; i++) {
                if (query.charAt(i) == ':') {
                    if (colon >= 0) {
                        error(
                                out,
                                query,
                                actionStart,
                                n,
                                "expected HOST:PORT with an IPv6 address in brackets ([::1]:80), found '"
                                        + query.substring(targetStart, n) + "'");
                        return false;
                    }
                    colon = i;
                }
            }
            if (colon < 0) {
                host = query.substring(targetStart, n);
                port = -1;
            } else {
                host = query.substring(targetStart, colon);
                port = port(query, colon + 1, n);
                if (port < 0) {
                    error(
                            out,
                            query,
                            actionStart,
                            n,
                            "expected a port from 0 to 65535 after ':', found '" + query.substring(colon + 1, n) + "'");
                    return false;
                }
            }
        }
        for (int i = 0; i < host.length(); i++) {
            if (isBlank(host.charAt(i))) {
                error(out, query, actionStart, n, "expected a host without blanks, found '" + host + "'");
                return false;
            }
        }
        if (port < 0 && socketActions != SocketActions.RESOLVE) {
            error(out, query, actionStart, n, "expected HOST:PORT, found no port");
            return false;
        }
        // "resolve HOST" is the question the broker asks before it resolves a name for the program.
        SocketDecision d = socketActions == SocketActions.RESOLVE && port < 0
                ? policy.decideResolve(host)
                : policy.decideSocket(host, port, socketActions);
        answer(out, d.allowed(), query, actionStart, actionEnd, targetStart, n);
        if (d.allowed()) {
            out.append(" by ").append(d.rule());
        } else {
            closest(out, d.closest());
        }
        return true;
    }

    /** Names the closest grant of a denial, in the words the program's exception uses. */
    private static void closest(StringBuilder out, Optional<ClosestGrant> closest) {
        closest.ifPresent(
                c -> out.append(" (closest grant: ").append(c.sentence()).append(')'));
    }

    /** Parses an ASCII decimal port 0-65535, or returns -1. */
    private static int port(String s, int from, int to) {
        if (from >= to || to - from > 5) {
            return -1;
        }
        int v = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v <= 65535 ? v : -1;
    }

    /** Repeats the query as {@code ACTION TARGET}, with one blank between them. */
    private static void answer(
            StringBuilder out,
            boolean allowed,
            String query,
            int actionStart,
            int actionEnd,
            int targetStart,
            int end) {
        out.append(allowed ? "ALLOW " : "DENY ")
                .append(query, actionStart, actionEnd)
                .append(' ')
                .append(query, targetStart, end);
    }

    private static void error(StringBuilder out, String query, int from, int to, String why) {
        out.append("ERROR ").append(query, from, to).append(": ").append(why);
    }

    private static int skipBlanks(String s, int i) {
        while (i < s.length() && isBlank(s.charAt(i))) {
            i++;
        }
        return i;
    }

    private static boolean isBlank(char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f';
    }
}
