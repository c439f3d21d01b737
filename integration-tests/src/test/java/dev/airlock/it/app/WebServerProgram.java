package dev.airlock.it.app;

import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;

/**
 * An ordinary service on the JDK's HttpServer: listens on the wildcard address at the port it is
 * given, prints {@code listening} once bound, answers {@code hello PATH} to every request, prints
 * each request it served, and stops after a request for {@code /stop}.
 */
public final class WebServerProgram {
    private WebServerProgram() {}

    public static void main(String[] args) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(Integer.parseInt(args[0])), 0);
        CountDownLatch stop = new CountDownLatch(1);
        server.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            byte[] body = ("hello " + path).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
            synchronized (System.out) {
                System.out.println("served " + exchange.getRequestMethod() + " " + path);
                System.out.flush();
            }
            if (path.equals("/stop")) {
                stop.countDown();
            }
        });
        server.start();
        synchronized (System.out) {
            System.out.println("listening");
            System.out.flush();
        }
        stop.await();
        server.stop(0);
    }
}
