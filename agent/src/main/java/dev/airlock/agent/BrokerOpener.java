package dev.airlock.agent;

import java.io.IOException;

import dev.airlock.helper.BrokerClient;
import dev.airlock.helper.BrokerDeniedException;

/**
 * The production {@link Opener}: asks the broker over the helper's channel through the helper's
 * {@link BrokerClient}.
 *
 * <p>Connects on the first routed open, not at premain: the client binds libc through JNR, which
 * takes 250-400 ms to initialise (DESIGN.md "Start-up"), and a program that stays within what the
 * kernel grants it directly never needs it. A failed connect is kept and rethrown for every later
 * open, so a bad channel fails every routed open the same way (closed) instead of retrying.
 */
final class BrokerOpener implements Opener {

    private final int channel;
    private BrokerClient client;
    private IOException failure;

    BrokerOpener(int channel) {
        this.channel = channel;
    }

    @Override
    public int open(String absolutePath, int linuxFlags, int mode, boolean refuseDirectory)
            throws IOException {
        try {
            return client().open(absolutePath, linuxFlags, mode, refuseDirectory);
        } catch (BrokerDeniedException e) {
            if (e.isPolicyDenial()) {
                throw new PolicyDenied(e.reason());
            }
            return -e.errno();
        }
        // Any other IOException (the broker is gone, an unreadable reply) propagates: the router
        // fails the open closed.
    }

    private synchronized BrokerClient client() throws IOException {
        if (client == null) {
            if (failure != null) {
                throw new IOException(failure.getMessage(), failure);
            }
            try {
                client = BrokerClient.connect(channel);
            } catch (IOException | RuntimeException | LinkageError e) {
                failure = new IOException("airlock broker is unreachable on channel " + channel + ": "
                        + (e.getMessage() != null ? e.getMessage() : e.toString()), e);
                throw failure;
            }
        }
        return client;
    }
}
