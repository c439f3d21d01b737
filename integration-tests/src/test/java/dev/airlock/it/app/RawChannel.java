package dev.airlock.it.app;

import dev.airlock.ipc.Fd;
import dev.airlock.ipc.Linux;
import dev.airlock.ipc.SeqPacketSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * What hostile native code in the helper could do with the broker channel: write arbitrary bytes
 * straight to it. Uses Airlock's own native layer (on the helper's class path through the agent
 * jar) as a stand-in for JNI.
 */
final class RawChannel {
    private RawChannel() {
    }

    /** Sends {@code what} ("garbage") on descriptor 3 without waiting for a reply. */
    static String send(String what) throws Exception {
        byte[] message;
        switch (what) {
            case "garbage" -> message = "this is not an airlock message".getBytes(StandardCharsets.US_ASCII);
            default -> throw new IllegalArgumentException("unknown raw message " + what);
        }
        // Borrow descriptor 3 without taking ownership: the agent's client owns it.
        SeqPacketSocket socket = new SeqPacketSocket(Fd.adopt(Linux.dupCloexec(3, 20).release()));
        socket.send(ByteBuffer.wrap(message), message.length, null);
        socket.close();
        return "sent " + what;
    }
}
