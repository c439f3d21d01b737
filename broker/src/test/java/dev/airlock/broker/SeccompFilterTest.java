package dev.airlock.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.airlock.ipc.Linux;
import java.net.StandardProtocolFamily;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Installs the real filter on a throwaway thread (seccomp acts per thread) and probes it. */
class SeccompFilterTest {
    private static String attempt(ThrowingAction action) {
        try {
            action.run();
            return "allowed";
        } catch (Exception e) {
            return e.getMessage() != null && e.getMessage().contains("Permission denied") ? "denied" : "failed: " + e;
        }
    }

    private interface ThrowingAction {
        void run() throws Exception;
    }

    @Test
    void refusesUnixAndNonTcpSocketsButAllowsTcp() throws Exception {
        List<String> results = new ArrayList<>();
        Throwable[] failure = {null};
        // Open the classes the confined thread uses while still unconfined.
        SocketChannel.open().close();
        Thread confined = new Thread(() -> {
            try {
                Linux.setNoNewPrivs();
                Linux.installSeccompFilter(Linux.seccompProgram(SeccompFilter.program()));
                results.add(attempt(() -> SocketChannel.open(StandardProtocolFamily.UNIX).close()));
                results.add(attempt(() -> DatagramChannel.open().close()));
                results.add(attempt(() -> SocketChannel.open().close()));
                results.add(attempt(() -> SocketChannel.open(StandardProtocolFamily.INET6).close()));
            } catch (Throwable t) {
                failure[0] = t;
            }
        });
        confined.start();
        confined.join();
        if (failure[0] != null) {
            throw new AssertionError(failure[0]);
        }
        assertEquals(List.of("denied", "denied", "allowed", "allowed"), results, "unix, udp, tcp4, tcp6");
        assertEquals("allowed", attempt(() -> SocketChannel.open(StandardProtocolFamily.UNIX).close()),
                "the filter binds only the thread that installed it");
    }

    @Test
    void everyDeniedCallIsListedOnce() {
        int[] denied = SeccompFilter.DENIED.clone();
        java.util.Arrays.sort(denied);
        for (int i = 1; i < denied.length; i++) {
            if (denied[i] == denied[i - 1]) {
                throw new AssertionError("system call " + denied[i] + " listed twice");
            }
        }
        int[] program = SeccompFilter.program();
        assertEquals(0, program.length % 4);
    }
}
