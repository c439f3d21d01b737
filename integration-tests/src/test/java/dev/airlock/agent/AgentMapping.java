package dev.airlock.agent;

import dev.airlock.helper.BrokerClient;

/**
 * Test support (integration-tests' class path only, in the agent's package to reach its
 * package-private routers): the agent's own mapping from a broker's answer to what the
 * application sees, over a real {@link BrokerClient}, exactly as the bridge calls it, without a
 * JVM of its own.
 */
public final class AgentMapping {
    private AgentMapping() {}

    /** What {@code new FileInputStream(path)} gets: the descriptor, or the exception thrown. */
    public static Object javaIoOpen(BrokerClient client, String path) {
        try {
            return new Router(client::send, "/").route(Router.FILE_INPUT, path, path, 0, 0);
        } catch (Exception e) {
            return e;
        }
    }

    /** What {@code Files.newInputStream(path)} gets from the bridge: the descriptor or -errno, or the exception thrown. */
    public static Object nioOpen(BrokerClient client, String path) {
        try {
            return new Router(client::send, "/").route(Router.NIO_OPEN, path, path, 0, 0);
        } catch (Exception e) {
            return e;
        }
    }

    /** What the bridge gets for NIO's {@code stat} of {@code path}: the answer, -errno, or the exception thrown. */
    public static Object nioStat(BrokerClient client, String path) {
        try {
            return new MetadataRouter(
                            new Opener() {
                                @Override
                                public dev.airlock.helper.Answer send(dev.airlock.ipc.Request request)
                                        throws java.io.IOException {
                                    return client.send(request);
                                }
                            },
                            new Router(client::send, "/"))
                    .nio(Bridge.STAT, path, null, false, 0, 0, 0);
        } catch (Exception e) {
            return e;
        }
    }
}
