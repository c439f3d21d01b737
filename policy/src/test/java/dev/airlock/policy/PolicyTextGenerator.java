package dev.airlock.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Generates policy texts from the grammar, as token lists, so that tests can both produce valid
 * policies and break them in realistic ways (drop, duplicate or swap a token, truncate).
 */
final class PolicyTextGenerator {

    private final Random r;

    PolicyTextGenerator(Random r) {
        this.r = r;
    }

    List<String> tokens() {
        List<String> t = new ArrayList<>();
        if (r.nextInt(6) == 0) {
            domain(t);
        }
        if (r.nextInt(5) == 0) {
            t.add(kw("keystore"));
            t.add(str("file:${user.home}/.keystore"));
            if (r.nextBoolean()) {
                t.add(",");
                t.add(str("JKS"));
                if (r.nextBoolean()) {
                    t.add(",");
                    t.add(str("SUN"));
                }
            }
            t.add(";");
            if (r.nextInt(3) == 0) {
                t.add(kw("keystorePasswordURL"));
                t.add(str("file:/pw"));
                t.add(";");
            }
        }
        int grants = r.nextInt(4);
        for (int g = 0; g < grants; g++) {
            grant(t);
            if (r.nextInt(8) == 0) {
                t.add(";");
            }
        }
        return t;
    }

    private void domain(List<String> t) {
        t.add(kw("domain"));
        t.add(pick("D1", "D2", "system_domain"));
        for (int i = r.nextInt(3); i > 0; i--) {
            t.add(pick("keystoreType", "k", "x"));
            t.add("=");
            t.add(str(pick("JKS", "${user.home}", "${airlock.undefined}", "v")));
        }
        t.add("{");
        for (int i = r.nextInt(3); i > 0; i--) {
            t.add(kw("keystore"));
            t.add(pick("a", "b", "c"));
            for (int j = r.nextInt(2); j > 0; j--) {
                t.add(pick("keystoreURI", "p"));
                t.add("=");
                t.add(str(pick("file:/x", "${user.dir}")));
            }
            t.add(";");
        }
        t.add("}");
        t.add(";");
    }

    private void grant(List<String> t) {
        t.add(kw("grant"));
        int clauses = r.nextInt(4);
        for (int i = 0; i < clauses; i++) {
            switch (r.nextInt(3)) {
                case 0 -> {
                    t.add(kw("codeBase"));
                    t.add(str(pick(
                            "file:/x/-", "file:${java.home}/lib/-", "http://h/a.jar", "file:${airlock.undefined}/x")));
                }
                case 1 -> {
                    t.add(kw("signedBy"));
                    t.add(str(pick("duke", "a,b", "a,,b", " ", "${user.name}", "${airlock.undefined}")));
                }
                default -> principal(t);
            }
            if (r.nextInt(3) != 0) {
                t.add(",");
            }
        }
        t.add("{");
        for (int i = r.nextInt(5); i > 0; i--) {
            permission(t);
        }
        t.add("}");
        t.add(";");
    }

    private void principal(List<String> t) {
        t.add(kw("principal"));
        switch (r.nextInt(5)) {
            case 0 -> t.add(str(pick("alias1", "${user.name}")));
            case 1 -> {
                t.add("*");
                t.add(r.nextInt(4) == 0 ? str("x") : "*");
            }
            case 2 -> {
                t.add("javax.security.auth.x500.X500Principal");
                t.add(
                        r.nextInt(5) == 0
                                ? "*"
                                : str(pick(
                                        "cn=Duke, o=Example",
                                        "CN=a+OU=b,C=US",
                                        "not a dn",
                                        "cn=${user.name}",
                                        "${airlock.undefined}")));
            }
            default -> {
                t.add(pick("com.example.UserPrincipal", "p.P", "X$Y"));
                t.add(r.nextInt(4) == 0 ? "*" : str(pick("alice", "${user.name}", "${}")));
            }
        }
    }

    private void permission(List<String> t) {
        t.add(kw("permission"));
        String type = pick(
                "java.io.FilePermission",
                "java.net.SocketPermission",
                "java.util.PropertyPermission",
                "java.security.AllPermission",
                "java.lang.RuntimePermission");
        t.add(r.nextInt(10) == 0 ? str(type) : type);
        boolean name = r.nextInt(8) != 0;
        if (name) {
            t.add(str(pick(
                    "/tmp/-",
                    "${user.home}${/}x",
                    "${java.home}/lib/*",
                    "${airlock.undefined}",
                    "<<ALL FILES>>",
                    "a\\\\b",
                    "q\\\"uote",
                    "tab\\there",
                    "\\101\\0123",
                    "${}",
                    "${{self}}",
                    "localhost:1024-",
                    "exitVM.*",
                    "multi\\\nline")));
        }
        boolean actions = r.nextInt(3) != 0;
        if (actions || r.nextInt(6) == 0) {
            t.add(",");
            if (actions) {
                t.add(str(pick("read", "read,write", "connect,accept", "${airlock.undefined}", "")));
                if (r.nextInt(4) == 0) {
                    t.add(",");
                }
            }
        }
        if (r.nextInt(8) == 0) {
            if (!t.get(t.size() - 1).equals(",")) {
                t.add(",");
            }
            t.add(kw("signedBy"));
            t.add(str(pick("duke", "${airlock.undefined}")));
        }
        t.add(";");
    }

    /** Joins tokens with varied blanks, line breaks and comments. */
    String join(List<String> tokens) {
        StringBuilder sb = new StringBuilder();
        for (String tok : tokens) {
            sb.append(tok);
            switch (r.nextInt(14)) {
                case 0 -> sb.append('\n');
                case 1 -> sb.append("\r\n");
                case 2 -> sb.append("\t");
                case 3 -> sb.append(" // comment ").append(r.nextBoolean() ? "\n" : "\r");
                case 4 -> sb.append(" /* block\n\n comment */ ");
                case 5 -> sb.append("/**/");
                default -> sb.append(' ');
            }
        }
        return sb.toString();
    }

    private String kw(String k) {
        return switch (r.nextInt(6)) {
            case 0 -> k.toUpperCase(java.util.Locale.ROOT);
            case 1 -> k.toLowerCase(java.util.Locale.ROOT);
            default -> k;
        };
    }

    private static String str(String raw) {
        return "\"" + raw + "\"";
    }

    private String pick(String... options) {
        return options[r.nextInt(options.length)];
    }

    /** A damaged copy: one token dropped, doubled, swapped or replaced, or the list cut short. */
    List<String> mutate(List<String> tokens) {
        List<String> t = new ArrayList<>(tokens);
        if (t.isEmpty()) {
            t.add(pick("grant", "}", ";", "\"x", "/*", "'q'"));
            return t;
        }
        int i = r.nextInt(t.size());
        switch (r.nextInt(6)) {
            case 0 -> t.remove(i);
            case 1 -> t.add(i, t.get(i));
            case 2 -> {
                int j = r.nextInt(t.size());
                String x = t.get(i);
                t.set(i, t.get(j));
                t.set(j, x);
            }
            case 3 ->
                t.set(
                        i,
                        pick(
                                "grant",
                                "permission",
                                "{",
                                "}",
                                ";",
                                ",",
                                "*",
                                "=",
                                "\"x\"",
                                "'single'",
                                "foo",
                                "codeBase",
                                "principal",
                                "keystore",
                                "domain",
                                "-",
                                "/",
                                "\u0085",
                                "\"unterminated",
                                "/* open",
                                "${}",
                                "\u00e9t\u00e9"));
            case 4 -> t.subList(i, t.size()).clear();
            default -> t.add(i, pick(";", ",", "}", "{", "\"s\""));
        }
        return t;
    }
}
