package dev.airlock.it.app;

import dev.airlock.ipc.FileStat;
import dev.airlock.ipc.Message;
import dev.airlock.ipc.MessageCodec;
import dev.airlock.ipc.Reply;
import dev.airlock.ipc.Request;
import dev.airlock.ipc.RequestPath;
import dev.airlock.unix.Fd;
import dev.airlock.unix.Linux;
import dev.airlock.unix.SeqPacketSocket;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * {@link LinkProbe}'s operations that use raw system calls and the broker channel directly, as
 * hostile native code in the helper could (Airlock's own native layer, on the helper's class path
 * through the agent jar, stands in for JNI). A class of its own so that the unconfined runs, which
 * have no Airlock classes, never load it.
 */
final class RawLinks {
    private RawLinks() {}

    /**
     * Reads the attributes of each comma-separated link many times on another thread while this
     * one looks at every descriptor of the process (raw system calls, as native code would) for
     * one naming any of the links: the count of sightings, 0 when none was ever held.
     */
    static String linkDescriptors(String links) throws Exception {
        String[] names = links.split(",");
        Thread reader = new Thread(() -> {
            for (int i = 0; i < 300; i++) {
                for (String name : names) {
                    try {
                        Files.readAttributes(Path.of(name), BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }
            }
        });
        reader.start();
        int sightings = 0;
        int looks = 0;
        do {
            sightings += countDescriptorsOf(names);
            looks++;
        } while (reader.isAlive());
        reader.join();
        sightings += countDescriptorsOf(names);
        return "sightings=" + sightings + " looks>0=" + (looks > 0);
    }

    private static int countDescriptorsOf(String[] names) {
        int count = 0;
        try (Fd dir = Linux.open("/proc/self/fd", Linux.O_RDONLY | Linux.O_DIRECTORY, 0)) {
            for (byte[] entry : Linux.readDirectory(dir.get())) {
                String fd = new String(entry, StandardCharsets.US_ASCII);
                try {
                    String target =
                            new String(Linux.readlinkat(Linux.AT_FDCWD, "/proc/self/fd/" + fd), StandardCharsets.UTF_8);
                    for (String name : names) {
                        count += target.equals(name) ? 1 : 0;
                    }
                } catch (dev.airlock.unix.ErrnoException closedMeanwhile) {
                    // gone between listing and reading: not held now
                }
            }
        } catch (dev.airlock.unix.ErrnoException e) {
            throw new IllegalStateException(e);
        }
        return count;
    }

    /**
     * What hostile code speaking the protocol itself gets for STAT of a link without following it:
     * the kind of reply, and if a descriptor came, the link target read through it (the hole).
     */
    static String rawLstat(String link) throws Exception {
        ByteBuffer out = ByteBuffer.allocate(Message.MAX_SIZE);
        int length = MessageCodec.encode(0x51a7, new Request.Stat(RequestPath.of(link), true), out);
        // The agent's client reads the channel only while one of its own requests is in flight; none is now.
        // Borrowed, not owned: the agent's client keeps the channel.
        Fd borrowed = Fd.adopt(3);
        try {
            SeqPacketSocket socket = new SeqPacketSocket(borrowed, Message.MAX_SIZE);
            socket.send(out, length, null);
            ByteBuffer in = ByteBuffer.allocate(Message.MAX_SIZE + 1);
            SeqPacketSocket.Received received = socket.receive(in);
            Reply reply = MessageCodec.decodeReply(in, received.length(), received.descriptors().length == 1)
                    .message();
            if (reply.carriesDescriptor()) {
                try (Fd fd = received.descriptors()[0]) {
                    return "descriptor target=" + new String(Linux.readlinkat(fd.get(), ""), StandardCharsets.UTF_8);
                }
            }
            if (reply instanceof Reply.Status status) {
                FileStat stat = status.stat();
                return "stat link=" + stat.isSymbolicLink() + " size=" + stat.size();
            }
            return reply.toString();
        } finally {
            borrowed.release(); // the agent's channel: never closed here
        }
    }
}
