package dev.airlock.it.app;

/**
 * What hostile native code in the helper needs to attack the kernel boundary: any system call,
 * and native memory to build its arguments in. Two implementations make every attack in {@link
 * Attack} run both ways a Java program reaches native code: JNI ({@link Native}, any JDK) and the
 * FFM API ({@code Ffm}, JDK 22 and later, compiled separately because the tests build for 17).
 */
public interface Raw {
    /** The system call {@code nr} with up to six arguments: its result, or -errno when it failed. */
    long syscall(long nr, long... args);

    /** Zeroed native memory of {@code size} bytes; its address. */
    long malloc(int size);

    void free(long address);

    void put(long address, byte[] bytes);

    byte[] get(long address, int length);

    /** The JNI implementation, from the library at {@code library} (loaded once per JVM). */
    static Raw jni(String library) {
        Native.load(library);
        return new Raw() {
            @Override
            public long syscall(long nr, long... a) {
                long[] x = java.util.Arrays.copyOf(a, 6);
                return Native.syscall6(nr, x[0], x[1], x[2], x[3], x[4], x[5]);
            }

            @Override
            public long malloc(int size) {
                return Native.malloc(size);
            }

            @Override
            public void free(long address) {
                Native.free(address);
            }

            @Override
            public void put(long address, byte[] bytes) {
                Native.put(address, bytes);
            }

            @Override
            public byte[] get(long address, int length) {
                return Native.get(address, length);
            }
        };
    }
}
