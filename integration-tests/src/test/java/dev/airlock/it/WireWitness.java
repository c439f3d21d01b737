package dev.airlock.it;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The wire, as the test itself sees it: TCP listeners on {@code 127.0.0.1} and {@code ::1} and UDP
 * sockets on both, started by the test outside every sandbox, that record every connection and
 * every datagram arriving there. A denied case asserts that {@link #seen()} stayed empty: nothing
 * the sandboxed program did reached the wire. A granted case gets real answers, so its results
 * can be compared with an unconfined run's:
 *
 * <ul>
 *   <li>TCP, a first line {@code GET ...} or {@code POST ...}: HTTP/1.1, kept alive, each response
 *       {@code hello PATH} (and {@code body=BODY} for a POST);
 *   <li>TCP, a first line {@code silent ...}: no answer at all, until the peer closes (for read
 *       timeouts);
 *   <li>TCP, any other line: {@code echo LINE} for each line, until the peer closes;
 *   <li>UDP: {@code echo PAYLOAD} back to the sender.
 * </ul>
 *
 * Each arrival is recorded the moment it arrives (a connection with its first line once the line
 * is there, or {@code ""} if the peer sent none), so a connection that sent nothing is seen too.
 */
final class WireWitness implements AutoCloseable {
    /** How long a connection may stay silent before its first line: generous, a read-timeout entry waits on it. */
    private static final int IDLE_MILLIS = 15_000;

    private final ServerSocket tcp4;
    private final ServerSocket tcp6;
    private final DatagramSocket udp4;
    private final DatagramSocket udp6;
    private final List<Arrival> arrivals = new ArrayList<>();

    /** One connection or datagram: where it arrived ({@code tcp4}, {@code udp6}...) and its first line or payload. */
    static final class Arrival {
        final String transport;
        final String from;
        private volatile String first = "";
        /** The request lines of later HTTP requests on the same kept-alive connection. */
        private final List<String> later = java.util.Collections.synchronizedList(new ArrayList<>());

        Arrival(String transport, String from) {
            this.transport = transport;
            this.from = from;
        }

        String first() {
            return first;
        }

        /** The first line and the request lines of every later request on the connection. */
        List<String> lines() {
            List<String> all = new ArrayList<>(List.of(first));
            synchronized (later) {
                all.addAll(later);
            }
            return all;
        }

        @Override
        public String toString() {
            return transport + " from " + from + ": " + lines();
        }
    }

    WireWitness() throws IOException {
        this("127.0.0.1", 0);
    }

    /**
     * A witness whose IPv4 TCP listener is on {@code v4Address} (a numeric loopback address such
     * as {@code 127.0.0.2}) at {@code tcp4Port} (0: any free port); the others as {@link
     * #WireWitness()}.
     */
    @SuppressWarnings("AddressSelection") // numeric loopback literals: no name is looked up
    WireWitness(String v4Address, int tcp4Port) throws IOException {
        tcp4 = new ServerSocket(tcp4Port, 200, InetAddress.getByName(v4Address));
        tcp6 = new ServerSocket(0, 200, InetAddress.getByName("::1"));
        udp4 = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
        udp6 = new DatagramSocket(new InetSocketAddress("::1", 0));
        daemon("tcp4", () -> acceptLoop("tcp4", tcp4));
        daemon("tcp6", () -> acceptLoop("tcp6", tcp6));
        daemon("udp4", () -> datagramLoop("udp4", udp4));
        daemon("udp6", () -> datagramLoop("udp6", udp6));
    }

    int tcp4() {
        return tcp4.getLocalPort();
    }

    int tcp6() {
        return tcp6.getLocalPort();
    }

    int udp4() {
        return udp4.getLocalPort();
    }

    int udp6() {
        return udp6.getLocalPort();
    }

    /** Everything that arrived since the start or the last {@link #clear()}, in order. */
    List<Arrival> seen() {
        synchronized (arrivals) {
            return List.copyOf(arrivals);
        }
    }

    /**
     * Of {@code arrivals}, those whose first line, payload or a later request line names {@code
     * tag} (as a word of it, or a path segment): an HTTP client may reuse a kept-alive connection
     * another request opened.
     */
    static List<Arrival> tagged(List<Arrival> arrivals, String tag) {
        return arrivals.stream()
                .filter(a ->
                        a.lines().stream().anyMatch(l -> (" " + l.replace('/', ' ') + " ").contains(" " + tag + " ")))
                .toList();
    }

    /** Forgets what arrived so far, for the next run against the same witness. */
    void clear() {
        synchronized (arrivals) {
            arrivals.clear();
        }
    }

    private Arrival arrived(String transport, Object from) {
        Arrival a = new Arrival(transport, String.valueOf(from));
        synchronized (arrivals) {
            arrivals.add(a);
        }
        return a;
    }

    private static void daemon(String name, Runnable body) {
        Thread t = new Thread(body, "wire-witness-" + name);
        t.setDaemon(true);
        t.start();
    }

    private void acceptLoop(String transport, ServerSocket server) {
        while (!server.isClosed()) {
            Socket c;
            try {
                c = server.accept();
            } catch (IOException closed) {
                return;
            }
            Arrival a = arrived(transport, c.getRemoteSocketAddress());
            daemon(transport + "-conn", () -> serve(c, a));
        }
    }

    private static void serve(Socket c, Arrival a) {
        try (c) {
            c.setSoTimeout(IDLE_MILLIS);
            InputStream in = new BufferedInputStream(c.getInputStream());
            OutputStream out = c.getOutputStream();
            String line = readLine(in);
            if (line == null) {
                return;
            }
            a.first = line;
            if (line.startsWith("GET ") || line.startsWith("POST ")) {
                http(line, in, out, a);
            } else if (line.startsWith("silent ")) {
                while (in.read() >= 0) {
                    // said nothing, and says nothing until the peer closes
                }
            } else {
                for (; line != null; line = readLine(in)) {
                    out.write(("echo " + line + "\n").getBytes(StandardCharsets.UTF_8));
                    out.flush();
                }
            }
        } catch (SocketTimeoutException | SocketException ended) {
            // the peer went quiet or away: the arrival is recorded already
        } catch (IOException e) {
            a.first = a.first + " <" + e + ">";
        }
    }

    /** Serves HTTP/1.1 requests on one connection, the first one's request line already read. */
    private static void http(String requestLine, InputStream in, OutputStream out, Arrival a) throws IOException {
        boolean first = true;
        for (String request = requestLine; request != null; request = readLine(in)) {
            if (request.isEmpty()) {
                continue;
            }
            if (!first) {
                a.later.add(request);
            }
            first = false;
            String[] parts = request.split(" ", -1);
            int length = 0;
            boolean close = parts.length < 3 || !parts[2].equals("HTTP/1.1");
            for (String header = readLine(in); header != null && !header.isEmpty(); header = readLine(in)) {
                String h = header.toLowerCase(Locale.ROOT);
                if (h.startsWith("content-length:")) {
                    length = Integer.parseInt(
                            h.substring("content-length:".length()).strip());
                } else if (h.startsWith("connection:") && h.contains("close")) {
                    close = true;
                }
            }
            byte[] body = in.readNBytes(length);
            String answer = "hello " + parts[1]
                    + (parts[0].equals("POST") ? " body=" + new String(body, StandardCharsets.UTF_8) : "");
            byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
            out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + bytes.length + "\r\n"
                            + (close ? "Connection: close\r\n" : "") + "\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(bytes);
            out.flush();
            if (close) {
                return;
            }
        }
    }

    /** One line without its CR LF or LF; what there was at the end of the stream; null at the end. */
    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b >= 0; b = in.read()) {
            if (b == '\n') {
                return line.toString(StandardCharsets.UTF_8).replaceAll("\r$", "");
            }
            line.write(b);
        }
        return line.size() == 0 ? null : line.toString(StandardCharsets.UTF_8);
    }

    private void datagramLoop(String transport, DatagramSocket socket) {
        byte[] buffer = new byte[2048];
        while (!socket.isClosed()) {
            DatagramPacket p = new DatagramPacket(buffer, buffer.length);
            try {
                socket.receive(p);
                String payload = new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8);
                arrived(transport, p.getSocketAddress()).first = payload;
                byte[] echo = ("echo " + payload).getBytes(StandardCharsets.UTF_8);
                socket.send(new DatagramPacket(echo, echo.length, p.getSocketAddress()));
            } catch (IOException closed) {
                return;
            }
        }
    }

    @Override
    public void close() throws IOException {
        tcp4.close();
        tcp6.close();
        udp4.close();
        udp6.close();
    }
}
