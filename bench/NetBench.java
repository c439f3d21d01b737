import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * The network benchmark's client and server, one class (bench/run.sh runs it three ways):
 *
 * <ul>
 *   <li>{@code serve PORTFILE}: a loopback server on an ephemeral port (written to PORTFILE): each
 *       connection either closes at once (its first byte is none) or is a kept-alive HTTP/1.1
 *       connection answered with a fixed 5-byte body per request; runs until killed;
 *   <li>{@code connect PORT ITERATIONS}: times {@code new Socket().connect(127.0.0.1:PORT)} plus
 *       close, after a warm-up; prints {@code connect_close_us=<mean microseconds>};
 *   <li>{@code http PORT SECONDS}: one kept-alive connection, GET after GET for SECONDS after a
 *       warm-up; prints {@code http_rps=<requests per second>}.
 * </ul>
 *
 * Inside the sandbox every connect is a broker round trip; once connected, the socket is the
 * program's own, so the HTTP figure should match the plain one.
 */
public final class NetBench {
    private static final byte[] REQUEST =
            "GET /bench HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] RESPONSE =
            "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello".getBytes(StandardCharsets.US_ASCII);

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "serve" -> serve(args[1]);
            case "connect" -> connect(Integer.parseInt(args[1]), Integer.parseInt(args[2]));
            case "http" -> http(Integer.parseInt(args[1]), Double.parseDouble(args[2]));
            default -> throw new IllegalArgumentException("serve, connect or http: " + args[0]);
        }
    }

    private static void serve(String portFile) throws IOException {
        try (ServerSocket server = new ServerSocket()) {
            server.bind(new InetSocketAddress("127.0.0.1", 0), 4096);
            java.nio.file.Files.writeString(java.nio.file.Path.of(portFile), server.getLocalPort() + "\n");
            for (; ; ) {
                Socket c = server.accept();
                Thread t = new Thread(() -> answer(c));
                t.setDaemon(true);
                t.start();
            }
        }
    }

    /** Answers each request (a header block ending in an empty line) with RESPONSE until the peer closes. */
    private static void answer(Socket c) {
        try (c) {
            c.setTcpNoDelay(true);
            InputStream in = c.getInputStream();
            OutputStream out = c.getOutputStream();
            int state = 0; // how much of "\r\n\r\n" was just read
            for (int b = in.read(); b >= 0; b = in.read()) {
                state = (b == '\r' && (state == 0 || state == 2)) || (b == '\n' && (state == 1 || state == 3))
                        ? state + 1
                        : 0;
                if (state == 4) {
                    out.write(RESPONSE);
                    out.flush();
                    state = 0;
                }
            }
        } catch (IOException gone) {
            // the client went away
        }
    }

    private static void connect(int port, int iterations) throws IOException {
        InetSocketAddress to = new InetSocketAddress("127.0.0.1", port);
        for (int i = 0; i < Math.min(iterations, 2_000); i++) {
            try (Socket s = new Socket()) {
                s.connect(to);
            }
        }
        long start = System.nanoTime();
        for (int i = 0; i < iterations; i++) {
            try (Socket s = new Socket()) {
                s.connect(to);
            }
        }
        long elapsed = System.nanoTime() - start;
        System.out.printf("connect_close_us=%.2f%n", elapsed / 1000.0 / iterations);
    }

    private static void http(int port, double seconds) throws IOException {
        try (Socket s = new Socket()) {
            s.setTcpNoDelay(true);
            s.connect(new InetSocketAddress("127.0.0.1", port));
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            byte[] buffer = new byte[RESPONSE.length];
            long warmUp = System.nanoTime() + 1_000_000_000L;
            while (System.nanoTime() < warmUp) {
                exchange(in, out, buffer);
            }
            long start = System.nanoTime();
            long end = start + (long) (seconds * 1e9);
            long requests = 0;
            while (System.nanoTime() < end) {
                exchange(in, out, buffer);
                requests++;
            }
            double elapsed = (System.nanoTime() - start) / 1e9;
            System.out.printf("http_rps=%.0f%n", requests / elapsed);
        }
    }

    /** One GET and its whole fixed-size response. */
    private static void exchange(InputStream in, OutputStream out, byte[] buffer) throws IOException {
        out.write(REQUEST);
        out.flush();
        int got = in.readNBytes(buffer, 0, buffer.length);
        if (got != buffer.length) {
            throw new IOException("short response: " + got + " bytes");
        }
    }
}
