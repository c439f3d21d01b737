package dev.airlock.it.app;

import dev.airlock.ipc.Message;
import dev.airlock.unix.Fd;
import dev.airlock.unix.Linux;
import dev.airlock.unix.Processes;
import dev.airlock.unix.SeqPacketSocket;
import dev.airlock.unix.SpawnPlan;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * What hostile native code in the helper could do with the broker channel: write arbitrary bytes
 * straight to it. Uses Airlock's own native layer (on the helper's class path through the agent
 * jar) as a stand-in for JNI.
 */
final class RawChannel {
    private RawChannel() {}

    /**
     * Sends {@code what} on descriptor 3 without waiting for a reply: "garbage", or "open:PATH",
     * a well-formed request to open PATH for reading.
     */
    static String send(String what) throws Exception {
        byte[] message;
        if (what.equals("garbage")) {
            message = "this is not an airlock message".getBytes(StandardCharsets.US_ASCII);
        } else if (what.startsWith("open:")) {
            ByteBuffer encoded = ByteBuffer.allocate(dev.airlock.ipc.Message.MAX_SIZE);
            int length = dev.airlock.ipc.MessageCodec.encode(
                    0x7ead,
                    new dev.airlock.ipc.Request.Open(
                            dev.airlock.ipc.RequestPath.of(what.substring(5)), Linux.O_RDONLY, 0, false),
                    encoded);
            message = java.util.Arrays.copyOf(encoded.array(), length);
        } else {
            throw new IllegalArgumentException("unknown raw message " + what);
        }
        // Borrow descriptor 3 without taking ownership: the agent's client owns it. The socket sends
        // with send(2) (seccomp refuses the helper sendmsg).
        Fd borrowed = Fd.adopt(3);
        SeqPacketSocket socket = new SeqPacketSocket(borrowed, Message.MAX_SIZE);
        socket.send(ByteBuffer.wrap(message), message.length, null);
        borrowed.release();
        return "sent " + what;
    }

    /** The agent jar: the helper's class loader found Airlock's classes there. */
    private static String airlockJar() throws java.net.URISyntaxException {
        return java.nio.file.Path.of(Linux.class
                        .getProtectionDomain()
                        .getCodeSource()
                        .getLocation()
                        .toURI())
                .toString();
    }

    /**
     * Starts another process in the sandbox, a child of the helper that inherits the channel as
     * descriptor 3 (as hostile native code could arrange), and has it send {@code what} there.
     * Returns the child's exit status and pid.
     */
    static String fromChild(String what) throws Exception {
        String launcher = ProcessHandle.current().info().command().orElseThrow();
        java.util.List<String> argv = java.util.List.of(
                launcher,
                "-XX:+PerfDisableSharedMem",
                "-Djffi.boot.library.path=" + System.getProperty("jffi.boot.library.path"),
                "-cp",
                System.getProperty("java.class.path") + java.io.File.pathSeparator + airlockJar(),
                Probe.class.getName(),
                "raw:" + what);
        java.util.List<String> env = new java.util.ArrayList<>();
        System.getenv().forEach((k, v) -> env.add(k + "=" + v));
        try (Fd channel = Linux.dupCloexec(3, 20)) {
            int pid = SpawnPlan.prepare(launcher, argv, env, channel.get(), 3).spawn();
            int status = Processes.waitpid(pid);
            return "child " + pid + " exited " + (status >> 8);
        }
    }

    /**
     * Encodes a no-follow STAT of {@code path} under {@code id}. Here rather than in Attack, which
     * also runs without Airlock's classes on its class path (the SysV victim): building a request
     * record there would make the verifier load the ipc classes for the whole class.
     */
    static int encodeLstat(int id, String path, ByteBuffer out) {
        return dev.airlock.ipc.MessageCodec.encode(
                id, new dev.airlock.ipc.Request.Stat(dev.airlock.ipc.RequestPath.of(path), true), out);
    }

    /** The errno of a denial or failure reply in {@code in}, 0 for any other kind. */
    static int replyErrno(ByteBuffer in, int length, boolean descriptorAttached)
            throws dev.airlock.ipc.ProtocolException {
        dev.airlock.ipc.Reply reply = dev.airlock.ipc.MessageCodec.decodeReply(in, length, descriptorAttached)
                .message();
        if (reply instanceof dev.airlock.ipc.Reply.Denied denied) {
            return denied.errno();
        }
        return reply instanceof dev.airlock.ipc.Reply.Failed failed ? failed.errno() : 0;
    }

    /**
     * A CONNECT request written by hand on the broker channel, as hostile code that bypasses the
     * agent could write it: a TCP socket of the helper's own, to be connected to {@code
     * address:port} (a numeric literal). What the broker answered: {@code REFUSED denied ...} with
     * its reason, or {@code OK} and the reply when it connected the socket.
     */
    @SuppressWarnings("AddressSelection") // a numeric literal: no name is looked up
    static String forgedConnect(String address, int port) throws Exception {
        java.net.InetAddress remote = java.net.InetAddress.getByName(address);
        int domain = remote instanceof java.net.Inet6Address
                ? dev.airlock.unix.InetSocket.AF_INET6
                : dev.airlock.unix.InetSocket.AF_INET;
        Fd borrowed = Fd.adopt(3); // the agent's
        try (Fd tcp = dev.airlock.unix.InetSocket.open(domain)) {
            ByteBuffer encoded = ByteBuffer.allocate(Message.MAX_SIZE);
            int length = dev.airlock.ipc.MessageCodec.encode(
                    0x7ecc,
                    new dev.airlock.ipc.Request.Connect(
                            dev.airlock.ipc.InetEndpoint.of(remote, port),
                            new dev.airlock.ipc.HelperDescriptor(tcp.get())),
                    encoded);
            SeqPacketSocket socket = new SeqPacketSocket(borrowed, Message.MAX_SIZE);
            socket.send(encoded, length, null);
            ByteBuffer in = ByteBuffer.allocate(Message.MAX_SIZE + 1);
            SeqPacketSocket.Received received = socket.receive(in);
            if (received == null) {
                return "REFUSED broker closed the channel";
            }
            for (Fd d : received.descriptors()) {
                d.close();
            }
            dev.airlock.ipc.Reply reply = dev.airlock.ipc.MessageCodec.decodeReply(
                            in, received.length(), received.descriptors().length > 0)
                    .message();
            if (reply instanceof dev.airlock.ipc.Reply.Denied denied) {
                return "REFUSED denied errno=" + denied.errno() + ": " + denied.reason();
            }
            return (reply instanceof dev.airlock.ipc.Reply.Socket ? "OK " : "EX unexpected reply ") + reply;
        } finally {
            borrowed.release();
        }
    }

    /** The number of the one UDP socket this process holds (a DatagramChannel's, the broker's). */
    static int udpDescriptor() throws Exception {
        try (java.util.stream.Stream<java.nio.file.Path> fds =
                java.nio.file.Files.list(java.nio.file.Path.of("/proc/self/fd"))) {
            for (java.nio.file.Path p : (Iterable<java.nio.file.Path>) fds::iterator) {
                int fd = Integer.parseInt(p.getFileName().toString());
                try {
                    if (dev.airlock.unix.InetSocket.kind(fd).isUdp()) {
                        return fd;
                    }
                } catch (dev.airlock.unix.ErrnoException notASocket) {
                    // a file, a pipe, the listing's own descriptor
                }
            }
        }
        throw new IllegalStateException("no UDP socket");
    }

    /**
     * A SEND_DATAGRAM forged on the channel for the loopback's {@code port}, with the process's
     * own (broker-made) UDP socket: the broker's answer.
     */
    static String forgedDatagram(int port) throws Exception {
        try (java.nio.channels.DatagramChannel channel = java.nio.channels.DatagramChannel.open()) {
            assert channel.isOpen(); // its socket is the one named
            ByteBuffer encoded = ByteBuffer.allocate(Message.MAX_SIZE);
            int length = dev.airlock.ipc.MessageCodec.encode(
                    0x7edd,
                    new dev.airlock.ipc.Request.SendDatagram(
                            dev.airlock.ipc.InetEndpoint.of(new byte[] {127, 0, 0, 1}, port, 0),
                            dev.airlock.ipc.DatagramPayload.of("FORGED".getBytes(StandardCharsets.US_ASCII)),
                            new dev.airlock.ipc.HelperDescriptor(udpDescriptor())),
                    encoded);
            Fd borrowed = Fd.adopt(3); // the agent's
            try {
                SeqPacketSocket socket = new SeqPacketSocket(borrowed, Message.MAX_SIZE);
                socket.send(encoded, length, null);
                ByteBuffer in = ByteBuffer.allocate(Message.MAX_SIZE + 1);
                SeqPacketSocket.Received received = socket.receive(in);
                if (received == null) {
                    return "REFUSED broker closed the channel";
                }
                dev.airlock.ipc.Reply reply = dev.airlock.ipc.MessageCodec.decodeReply(
                                in, received.length(), received.descriptors().length > 0)
                        .message();
                if (reply instanceof dev.airlock.ipc.Reply.Denied denied) {
                    return "REFUSED denied errno=" + denied.errno() + ": " + denied.reason();
                }
                return "EX unexpected reply " + reply;
            } finally {
                borrowed.release();
            }
        }
    }
}
