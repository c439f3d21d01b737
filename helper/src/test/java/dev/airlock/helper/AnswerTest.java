package dev.airlock.helper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.airlock.ipc.Message;
import dev.airlock.ipc.Reply;
import dev.airlock.unix.Errno;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import org.junit.jupiter.api.Test;

/** What the client hands its callers: answers that carry a descriptor exactly when they say so, and one exception per kind. */
class AnswerTest {
    @Test
    void aDescriptorComesExactlyWithADescriptorSuccess() {
        assertEquals(5, new Answer(new Reply.Descriptor(), 5).descriptor());
        assertEquals(-1, new Answer(new Reply.Done(), -1).descriptor());
        assertThrows(IllegalArgumentException.class, () -> new Answer(new Reply.Descriptor(), -1));
        assertThrows(IllegalArgumentException.class, () -> new Answer(new Reply.Done(), 3));
        assertThrows(NullPointerException.class, () -> new Answer(null, -1));
    }

    @Test
    void pathsTheWireCannotCarryFailAsTheKernelWould() throws Exception {
        assertEquals("/a/b", BrokerClient.path("/a/b").toString());
        OperationFailedException tooLong = assertThrows(
                OperationFailedException.class, () -> BrokerClient.path("/" + "a".repeat(Message.MAX_PATH_LENGTH)));
        assertEquals(Errno.ENAMETOOLONG, tooLong.errno());
        assertEquals(
                Errno.EINVAL,
                assertThrows(OperationFailedException.class, () -> BrokerClient.path("/a\u0000b"))
                        .errno());
        assertEquals(
                Errno.EINVAL,
                assertThrows(OperationFailedException.class, () -> BrokerClient.path("relative"))
                        .errno());
        assertEquals("../t", BrokerClient.target("../t").toString());
        assertEquals(
                Errno.EINVAL,
                assertThrows(OperationFailedException.class, () -> BrokerClient.target(""))
                        .errno());
    }

    /** The three kinds of failure are distinct IOExceptions, and none is the JDK's AccessDeniedException. */
    @Test
    void eachFailingKindHasItsOwnException() {
        BrokerException denied = new PolicyDeniedException("/a", Errno.EACCES, "denied by airlock policy p: read");
        BrokerException failed = new OperationFailedException("/a", Errno.ENOENT);
        BrokerException broken = new BrokerFailedException("airlock broker: internal error", null);
        assertEquals("/a: denied by airlock policy p: read", denied.getMessage());
        assertEquals("/a: No such file or directory", failed.getMessage());
        for (BrokerException e : new BrokerException[] {denied, failed, broken}) {
            assertInstanceOf(IOException.class, e);
            assertEquals(false, (Object) e instanceof AccessDeniedException);
        }
        assertThrows(IllegalArgumentException.class, () -> new PolicyDeniedException("/a", Errno.EACCES, ""));
    }
}
