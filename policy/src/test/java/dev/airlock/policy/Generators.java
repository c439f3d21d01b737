package dev.airlock.policy;

import java.util.Random;

/** Random policy material from fixed seeds, shared by the differential and property tests. */
final class Generators {

    private Generators() {}

    /** Path names that exercise the JDK's path rules: wildcards, dots, blanks, non-ASCII. */
    static final String[] NAMES = {
        "a",
        "b",
        "c",
        "-",
        "*",
        "b*",
        "x-",
        "-x",
        "..",
        ".",
        "",
        "é",
        "with space",
        "日本",
        ".hidden",
        "a b",
        "ü",
        "\uD83D\uDE00",
        "back\\slash",
        "**",
        "*-",
        "...",
        "a.b",
        "-*",
        "q"
    };

    static String path(Random r) {
        StringBuilder sb = new StringBuilder();
        boolean absolute = r.nextInt(10) < 7;
        if (absolute) {
            sb.append('/');
            if (r.nextInt(12) == 0) {
                sb.append('/');
            }
        }
        int depth = r.nextInt(5);
        for (int i = 0; i < depth; i++) {
            if (i > 0) {
                sb.append(r.nextInt(15) == 0 ? "//" : "/");
            }
            sb.append(NAMES[r.nextInt(NAMES.length)]);
        }
        switch (r.nextInt(12)) {
            case 0 -> sb.append("/-");
            case 1 -> sb.append("/*");
            case 2 -> sb.append('*');
            case 3 -> sb.append('/');
            case 4 -> sb.append("/.");
            default -> {}
        }
        return sb.toString();
    }

    /** A file action string the way people write them: any case, blanks, sometimes wrong. */
    static String fileActions(Random r, int mask) {
        String[] words = {"read", "write", "execute", "delete", "readlink"};
        StringBuilder sb = new StringBuilder();
        for (int bit = 0; bit < 5; bit++) {
            if ((mask & (1 << bit)) != 0) {
                if (sb.length() > 0) {
                    sb.append(r.nextInt(4) == 0 ? " , " : ",");
                }
                String w = words[bit];
                sb.append(r.nextInt(5) == 0 ? w.toUpperCase(java.util.Locale.ROOT) : w);
            }
        }
        if (r.nextInt(40) == 0) {
            sb.append(",");
        }
        if (r.nextInt(40) == 0) {
            return "reed";
        }
        return sb.toString();
    }

    static String socketActions(Random r, int mask) {
        String[] words = {"connect", "listen", "accept", "resolve"};
        StringBuilder sb = new StringBuilder();
        for (int bit = 0; bit < 4; bit++) {
            if ((mask & (1 << bit)) != 0) {
                if (sb.length() > 0) {
                    sb.append(r.nextInt(4) == 0 ? ", " : ",");
                }
                sb.append(r.nextInt(6) == 0 ? words[bit].toUpperCase(java.util.Locale.ROOT) : words[bit]);
            }
        }
        if (r.nextInt(50) == 0) {
            return "conect";
        }
        return sb.toString();
    }

    static final String[] GRANT_HOSTS = {
        "*",
        "*.example.com",
        "*.EXAMPLE.com",
        "*.com",
        "*.0.1",
        "*.1",
        "*.0.0.1",
        "*.",
        "localhost",
        "LocalHost",
        "example.com",
        "www.example.com",
        "a.b.example.com",
        "127.0.0.1",
        "127.1",
        "010.0.0.1",
        "10.0.0.1",
        "1.2.3.4",
        "[::1]",
        "[0:0:0:0:0:0:0:1]",
        "[::ffff:127.0.0.1]",
        "[fe80::1%eth0]",
        "[2001:db8::1]",
        "[2001:DB8::1]",
        "2001:db8:0:0:0:0:0:1",
        "bücher.example",
        "İstanbul.example",
        "*.İstanbul.example",
        "",
        "0x7f.0.0.1",
        "256.1.1.1",
        "1.2.3.4.",
        "[::1",
        "*foo",
        "a*b",
        "::1",
        "[::1]x",
        "example.com.",
        "[example.com]"
    };

    static final String[] GRANT_PORTS = {
        "",
        ":80",
        ":80-90",
        ":-1024",
        ":1024-",
        ":*",
        ":0",
        ":0-0",
        ":40000",
        ":32768-60999",
        ":61000-",
        ":70000",
        ":+80",
        ":abc",
        ":90-80",
        ":-",
        ":5432",
        ":0-80",
        ":30000-40000",
        ":1-",
        ":60999-61000"
    };

    static final String[] QUERY_HOSTS = {
        "localhost",
        "LOCALHOST",
        "127.0.0.1",
        "127.1",
        "10.0.0.1",
        "1.2.3.4",
        "::1",
        "[::1]",
        "0:0:0:0:0:0:0:1",
        "::ffff:127.0.0.1",
        "fe80::1%eth0",
        "2001:db8::1",
        "example.com",
        "www.example.com",
        "WWW.EXAMPLE.COM",
        "a.b.example.com",
        "example.org",
        "x.com",
        "bücher.example",
        "İSTANBUL.example",
        "istanbul.example",
        "x.İstanbul.example",
        "",
        "*.example.com",
        "*",
        "1.2.3.4.",
        "0x7f.0.0.1",
        ".example.com",
        "example.com.",
        "2.0.0.1",
        "a]b",
        "[::1]x",
        "*.com"
    };

    static final int[] QUERY_PORTS = {-1, 0, 80, 85, 90, 1024, 5432, 32768, 40000, 60999, 61000, 65535, 1};
}
