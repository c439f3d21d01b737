package dev.airlock.it.app;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Name resolution as a program does it, inside the sandbox: each argument one operation, each
 * answered on one line as {@code OP OK RESULT} or {@code OP EX CLASS: MESSAGE}.
 *
 * <ul>
 *   <li>{@code resolve:NAME}: {@code InetAddress.getAllByName}, the addresses' texts;
 *   <li>{@code http:NAME:PORT}: an HTTP GET of / by name, the status line;
 *   <li>{@code forged:NAME:ADDRESS:PORT}: a connect to {@code getByAddress(NAME, ADDRESS)};
 *   <li>{@code reverse:ADDRESS}: {@code getCanonicalHostName} of the address literal;
 *   <li>{@code localhost}: {@code InetAddress.getLocalHost()}'s address.
 * </ul>
 */
public final class NameProbe {
    private NameProbe() {}

    public static void main(String[] args) {
        for (String op : args) {
            String result;
            try {
                result = "OK " + run(op);
            } catch (Exception e) {
                result = "EX " + e.getClass().getName() + ": " + e.getMessage();
            }
            System.out.println(op + " " + result);
        }
    }

    private static String run(String op) throws Exception {
        String[] p = op.split(":", -1);
        switch (p[0]) {
            case "resolve": {
                List<String> texts = new ArrayList<>();
                for (InetAddress a : InetAddress.getAllByName(p[1])) {
                    texts.add(a.getHostAddress());
                }
                return String.join(",", texts);
            }
            case "http": {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress(p[1], Integer.parseInt(p[2])), 10_000);
                    s.getOutputStream()
                            .write(("GET / HTTP/1.0\r\nHost: " + p[1] + "\r\n\r\n")
                                    .getBytes(StandardCharsets.US_ASCII));
                    InputStream in = s.getInputStream();
                    String reply = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
                    return reply.lines().findFirst().orElse("");
                }
            }
            case "forged": {
                InetAddress forged = InetAddress.getByAddress(
                        p[1], InetAddress.getByName(p[2]).getAddress());
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress(forged, Integer.parseInt(p[3])), 10_000);
                    return "connected";
                }
            }
            case "reverse":
                return InetAddress.getByName(op.substring("reverse:".length())).getCanonicalHostName();
            case "localhost":
                return InetAddress.getLocalHost().getHostAddress();
            default:
                throw new IllegalArgumentException("unknown operation " + op);
        }
    }
}
