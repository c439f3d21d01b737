package dev.airlock.it.app;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.MulticastSocket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.charset.StandardCharsets;

/**
 * The JDK's UDP entry points, run inside the sandbox by {@code DatagramIT} and the bench: one
 * operation per argument, each printing {@code OP OK result} or {@code OP EX class: message}. The
 * test's recorder answers each datagram {@code P} with {@code echo P}.
 */
public final class DatagramProbe {
    private DatagramProbe() {}

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

    @SuppressWarnings("AddressSelection") // numeric literals from the test: no name is looked up
    private static String run(String op) throws Exception {
        String[] p = op.split(",", -1);
        switch (p[0]) {
            case "socket-connected": { // DatagramSocket, connected: send and receive on the program's own socket
                try (DatagramSocket s = new DatagramSocket()) {
                    s.setSoTimeout(10_000);
                    s.connect(InetAddress.getByName(p[1]), Integer.parseInt(p[2]));
                    return exchange(s, null, p[3]);
                }
            }
            case "socket-send": { // DatagramSocket, unconnected: each send brokered
                try (DatagramSocket s = new DatagramSocket()) {
                    s.setSoTimeout(10_000);
                    return exchange(s, new InetSocketAddress(p[1], Integer.parseInt(p[2])), p[3]);
                }
            }
            case "socket-timeout": { // nothing answers: the JDK's own receive timeout
                try (DatagramSocket s = new DatagramSocket()) {
                    s.setSoTimeout(Integer.parseInt(p[1]));
                    long start = System.nanoTime();
                    try {
                        s.receive(new DatagramPacket(new byte[16], 16));
                        return "received something";
                    } catch (SocketTimeoutException e) {
                        long ms = (System.nanoTime() - start) / 1_000_000;
                        return "timeout " + e.getMessage() + " waited=" + (ms >= Integer.parseInt(p[1]) - 50);
                    }
                }
            }
            case "socket-bind": { // DatagramSocket bound to a port: decided as listen
                try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(p[1], Integer.parseInt(p[2])))) {
                    return "bound " + s.getLocalPort();
                }
            }
            case "socket-disconnect": {
                try (DatagramSocket s = new DatagramSocket()) {
                    s.connect(InetAddress.getByName(p[1]), Integer.parseInt(p[2]));
                    s.disconnect();
                    return "disconnected " + s.isConnected();
                }
            }
            case "multicast-send": { // a MulticastSocket sending to a group: decided as checkMulticast
                try (MulticastSocket s = new MulticastSocket()) {
                    byte[] b = p[3].getBytes(StandardCharsets.UTF_8);
                    s.send(new DatagramPacket(b, b.length, InetAddress.getByName(p[1]), Integer.parseInt(p[2])));
                    return "sent";
                }
            }
            case "channel-connected": {
                try (DatagramChannel c = DatagramChannel.open()) {
                    c.connect(new InetSocketAddress(p[1], Integer.parseInt(p[2])));
                    c.write(ByteBuffer.wrap(p[3].getBytes(StandardCharsets.UTF_8)));
                    ByteBuffer in = ByteBuffer.allocate(2048);
                    c.read(in);
                    return new String(in.array(), 0, in.position(), StandardCharsets.UTF_8);
                }
            }
            case "channel-send": {
                try (DatagramChannel c = DatagramChannel.open()) {
                    int n = c.send(
                            ByteBuffer.wrap(p[3].getBytes(StandardCharsets.UTF_8)),
                            new InetSocketAddress(p[1], Integer.parseInt(p[2])));
                    ByteBuffer in = ByteBuffer.allocate(2048);
                    Object from = c.receive(in);
                    return "sent=" + n + " " + new String(in.array(), 0, in.position(), StandardCharsets.UTF_8)
                            + " from=" + from;
                }
            }
            case "channel-selector": { // non-blocking, unconnected send, receive when the selector says so
                try (DatagramChannel c = DatagramChannel.open();
                        Selector selector = Selector.open()) {
                    c.configureBlocking(false);
                    c.bind(null);
                    int n = c.send(
                            ByteBuffer.wrap(p[3].getBytes(StandardCharsets.UTF_8)),
                            new InetSocketAddress(p[1], Integer.parseInt(p[2])));
                    c.register(selector, SelectionKey.OP_READ);
                    if (selector.select(10_000) == 0) {
                        return "nothing to read";
                    }
                    ByteBuffer in = ByteBuffer.allocate(2048);
                    c.receive(in);
                    return "sent=" + n + " blocking=" + c.isBlocking() + " "
                            + new String(in.array(), 0, in.position(), StandardCharsets.UTF_8);
                }
            }
            case "channel-bind": {
                try (DatagramChannel c = DatagramChannel.open()) {
                    c.bind(new InetSocketAddress(p[1], Integer.parseInt(p[2])));
                    return "bound " + ((InetSocketAddress) c.getLocalAddress()).getPort();
                }
            }
            case "channel-send-many": { // the bench: N unconnected sends of 64 bytes, no reply awaited
                return sendMany(p, false);
            }
            case "channel-write-many": { // the bench: N connected writes of 64 bytes
                return sendMany(p, true);
            }
            default:
                throw new IllegalArgumentException("unknown operation " + p[0]);
        }
    }

    private static String exchange(DatagramSocket s, InetSocketAddress to, String payload) throws Exception {
        byte[] out = payload.getBytes(StandardCharsets.UTF_8);
        s.send(to == null ? new DatagramPacket(out, out.length) : new DatagramPacket(out, out.length, to));
        DatagramPacket in = new DatagramPacket(new byte[2048], 2048);
        s.receive(in);
        return new String(in.getData(), 0, in.getLength(), StandardCharsets.UTF_8);
    }

    private static String sendMany(String[] p, boolean connected) throws Exception {
        InetSocketAddress to = new InetSocketAddress(p[1], Integer.parseInt(p[2]));
        int count = Integer.parseInt(p[3]);
        ByteBuffer b = ByteBuffer.allocateDirect(64);
        try (DatagramChannel c = DatagramChannel.open()) {
            if (connected) {
                c.connect(to);
            }
            long start = System.nanoTime();
            for (int i = 0; i < count; i++) {
                b.clear();
                if (connected) {
                    c.write(b);
                } else {
                    c.send(b, to);
                }
            }
            return "ns-per-send=" + (System.nanoTime() - start) / count;
        }
    }
}
