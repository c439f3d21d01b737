package dev.airlock.it.app;

/** The library class of {@link ManifestApp}, packed alone in {@code lib/greeter.jar}. */
public final class ManifestGreeter {
    private ManifestGreeter() {}

    static String greet(String name) {
        return "hello " + name + " from " + ManifestGreeter.class.getSimpleName();
    }
}
