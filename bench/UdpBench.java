import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * UDP sends for bench/run.sh: {@code sink PORTFILE} receives and drops datagrams on a loopback
 * port it writes to PORTFILE; {@code send PORT N} sends N unconnected 64-byte datagrams there (each
 * brokered under Airlock); {@code write PORT N} connects first and writes N (the program's own
 * socket). Prints {@code send_us=} per datagram. The first tenth is a warm-up, not counted.
 */
public final class UdpBench {
    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "sink" -> {
                try (DatagramChannel c = DatagramChannel.open()) {
                    c.bind(new InetSocketAddress("127.0.0.1", 0));
                    Files.writeString(
                            Path.of(args[1]), Integer.toString(((InetSocketAddress) c.getLocalAddress()).getPort()));
                    ByteBuffer b = ByteBuffer.allocateDirect(2048);
                    while (true) {
                        b.clear();
                        c.receive(b);
                    }
                }
            }
            case "send", "write" -> {
                InetSocketAddress to = new InetSocketAddress("127.0.0.1", Integer.parseInt(args[1]));
                int n = Integer.parseInt(args[2]);
                boolean connected = args[0].equals("write");
                ByteBuffer b = ByteBuffer.allocateDirect(64);
                try (DatagramChannel c = DatagramChannel.open()) {
                    if (connected) {
                        c.connect(to);
                    }
                    long start = 0;
                    int warm = n / 10;
                    for (int i = 0; i < n + warm; i++) {
                        if (i == warm) {
                            start = System.nanoTime();
                        }
                        b.clear();
                        if (connected) {
                            c.write(b);
                        } else {
                            c.send(b, to);
                        }
                    }
                    System.out.printf("send_us=%.3f%n", (System.nanoTime() - start) / 1000.0 / n);
                }
            }
            default -> throw new IllegalArgumentException(args[0]);
        }
    }
}
