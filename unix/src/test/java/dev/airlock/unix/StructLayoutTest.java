package dev.airlock.unix;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * The socket structures' derived layouts against what gcc's {@code offsetof}, {@code sizeof} and
 * {@code CMSG_*} print on Linux x86_64 with glibc: a field declared out of order, or a wrong
 * scalar size or alignment rule, moves an offset and fails here before any kernel call reads it.
 */
class StructLayoutTest {
    @Test
    void messageHeaderIsLaidOutAsStructMsghdr() {
        assertEquals(0, MessageHeader.NAME);
        assertEquals(8, MessageHeader.NAME_LENGTH);
        assertEquals(16, MessageHeader.IOV, "msg_iov is aligned past the 4-byte msg_namelen");
        assertEquals(24, MessageHeader.IOV_LENGTH);
        assertEquals(32, MessageHeader.CONTROL);
        assertEquals(40, MessageHeader.CONTROL_LENGTH);
        assertEquals(48, MessageHeader.FLAGS);
        assertEquals(56, MessageHeader.SIZE, "padded to its widest field after the 4-byte msg_flags");
    }

    @Test
    void ioVectorIsLaidOutAsStructIovec() {
        assertEquals(0, IoVector.BASE);
        assertEquals(8, IoVector.LENGTH);
        assertEquals(16, IoVector.SIZE);
    }

    @Test
    void controlMessageHeaderAndMacrosMatchGlibc() {
        assertEquals(0, ControlMessage.LENGTH);
        assertEquals(8, ControlMessage.LEVEL);
        assertEquals(12, ControlMessage.TYPE);
        assertEquals(16, ControlMessage.HEADER_SIZE);
        assertEquals(16, ControlMessage.DATA);
        assertEquals(16, ControlMessage.align(13));
        assertEquals(20, ControlMessage.length(Integer.BYTES));
        assertEquals(24, ControlMessage.space(Integer.BYTES));
        assertEquals(28, ControlMessage.length(Ucred.SIZE));
        assertEquals(32, ControlMessage.space(Ucred.SIZE));
        assertEquals(48, ControlMessage.space(8 * Integer.BYTES));
        assertEquals(40, ControlMessage.next(16, 20), "the next header starts after CMSG_ALIGN(cmsg_len)");
    }

    @Test
    void ucredIsLaidOutAsStructUcred() {
        assertEquals(0, Ucred.PID);
        assertEquals(4, Ucred.UID);
        assertEquals(8, Ucred.GID);
        assertEquals(12, Ucred.SIZE);
    }

    @Test
    void fieldsAreAlignedToTheirSizeAndTheWholeToTheWidest() {
        StructLayout layout = new StructLayout();
        assertEquals(0, layout.field(StructLayout.Scalar.INT));
        assertEquals(8, layout.field(StructLayout.Scalar.POINTER));
        assertEquals(16, layout.field(StructLayout.Scalar.SOCKLEN_T));
        assertEquals(24, layout.size());
        assertEquals(0, new StructLayout().size(), "an empty layout has size 0");
        assertEquals(8L, StructLayout.align(5L, 8));
        assertEquals(8, StructLayout.align(8, 8));
    }
}
