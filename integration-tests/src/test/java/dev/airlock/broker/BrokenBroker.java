package dev.airlock.broker;

import dev.airlock.policy.Policy;
import dev.airlock.unix.Credentials;
import dev.airlock.unix.Linux;
import dev.airlock.unix.SeqPacketSocket;
import java.io.PrintStream;
import java.nio.file.Path;

/**
 * Test support (integration-tests' class path only, in the broker's package to reach its
 * package-private loop and server): the real request loop and server, serving {@code granted}
 * read-only, with their pre-opened grant roots closed under them, so that every request for a
 * granted path fails inside the broker. Nothing in the broker itself can be switched into this
 * state: the helper cannot, and the policy cannot.
 */
public final class BrokenBroker {
    private BrokenBroker() {}

    /** Starts serving {@code socket} (the broker's end) on a daemon thread; requests must come from this process. */
    public static Thread serve(SeqPacketSocket socket, Path granted, PrintStream log) throws Exception {
        Policy policy = Policy.parse(
                "broken.policy", "grant { permission java.io.FilePermission \"" + granted + "/-\", \"read,write\"; };");
        GrantRoots roots = GrantRoots.open(policy.fileGrantRoots());
        RequestServer server = new RequestServer(policy, roots);
        roots.close();
        Linux.enablePassCred(socket.fd().get());
        // The loop's thread holds the pidfd for the test JVM's life, as a broker holds its helper's.
        RequestLoop loop = new RequestLoop(
                socket,
                server,
                new Credentials(Linux.getpid(), Linux.getuid(), Linux.getgid()),
                HelperDescriptors.open(Linux.getpid()),
                log);
        Thread serving = new Thread(
                () -> {
                    try {
                        loop.run();
                    } catch (Exception e) {
                        log.println("loop failed: " + e);
                    }
                },
                "broken-broker");
        serving.setDaemon(true);
        serving.start();
        return serving;
    }
}
