package dev.airlock.agent;

import dev.airlock.helper.Answer;
import dev.airlock.helper.BrokerClient;
import dev.airlock.helper.BrokerFailedException;
import dev.airlock.ipc.Request;
import dev.airlock.ipc.StartupTimeline;
import java.io.IOException;

/**
 * The production {@link Opener}: asks the broker over the helper's channel through the helper's
 * {@link BrokerClient}.
 *
 * <p>Connects on the first routed open, not at premain: the client binds libc through JNR, which
 * takes 250-400 ms to initialise in a fresh JVM (measured on JDK 17 and 25), and a program that stays within what the
 * kernel grants it directly never needs it. A failed connect is kept and rethrown for every later
 * open, so a bad channel fails every routed open the same way (closed) instead of retrying.
 */
final class BrokerOpener implements Opener {

    private final int channel;
    private final java.util.concurrent.FutureTask<BrokerClient> connection;

    BrokerOpener(int channel) {
        this.channel = channel;
        this.connection = new java.util.concurrent.FutureTask<>(() -> {
            BrokerClient client = BrokerClient.connect(channel);
            StartupTimeline.mark("broker-connected");
            return client;
        });
    }

    /**
     * Starts checking, on a background thread, that the channel's peer is this JVM's broker. The
     * check needs JNR (hundreds of milliseconds to bind), so it runs beside the application's
     * start instead of before it; nothing is routed until it has passed, and if it fails the JVM
     * is halted: a helper whose channel leads anywhere else must not run.
     *
     * <p>The same thread first arms the helper's parent-death signal, so the check that the
     * channel's creator is still this process's parent comes after it and also proves the broker
     * did not die before the signal was armed; then it stays parked, since the signal belongs to
     * the thread that asked for it (see {@link ParentDeath}).
     */
    void verifyInBackground(java.util.function.UnaryOperator<Runnable> unrouted) {
        Runnable connect = unrouted.apply(connection);
        Runnable arm = unrouted.apply(ParentDeath::armOrHalt);
        Thread check = new Thread(
                () -> {
                    arm.run();
                    connect.run();
                    try {
                        connection.get();
                    } catch (java.util.concurrent.ExecutionException e) {
                        AirlockAgent.refuse(
                                "the broker channel " + channel + " failed its check: " + message(e.getCause()));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    ParentDeath.carry();
                },
                "airlock-broker-check");
        check.setDaemon(true);
        check.start();
    }

    @Override
    public Answer send(Request request) throws IOException {
        return client().send(request);
    }

    @Override
    public Answer socket(Request.Carrying request) throws IOException {
        return client().send(request);
    }

    @Override
    public int sendDatagram(Request.SendDatagram request) throws IOException {
        return client().sendDatagram(request);
    }

    @Override
    public int watch(Request.Watch request) throws IOException {
        return client().watch(request);
    }

    private BrokerClient client() throws IOException {
        // Runs the check here if the background thread has not started it yet; a no-op otherwise.
        connection.run();
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return connection.get();
                } catch (InterruptedException e) {
                    interrupted = true; // an open is not interruptible; keep the status for the caller
                } catch (java.util.concurrent.ExecutionException e) {
                    throw new BrokerFailedException(
                            "airlock broker is unreachable on channel " + channel + ": " + message(e.getCause()),
                            e.getCause());
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static String message(Throwable t) {
        return t.getMessage() != null ? t.getMessage() : t.toString();
    }
}
