package dev.airlock.it.app;

/**
 * A failure as the network programs print it, one line: {@code EX class: message}, then {@code <-
 * class: message} for each cause. Airlock's reason may sit in any cause (a JDBC driver or an HTTP
 * client wraps the JDK's exception in its own), so the whole chain is what the tests look at.
 */
public final class ExceptionChain {
    private ExceptionChain() {}

    public static String of(Throwable t) {
        StringBuilder b = new StringBuilder("EX");
        String sep = " ";
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            b.append(sep).append(c.getClass().getName()).append(": ").append(c.getMessage());
            sep = " <- ";
        }
        return b.toString();
    }
}
