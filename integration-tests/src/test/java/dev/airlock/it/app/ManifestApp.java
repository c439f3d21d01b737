package dev.airlock.it.app;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * The main class of an application started with {@code java -jar app.jar}, whose manifest's
 * {@code Class-Path} names {@code lib/greeter.jar} ({@link ManifestGreeter}), whose own manifest
 * names {@code words.jar} beside it: the JDK's class loader finds both through the manifests
 * alone. It prints what it loaded from each jar.
 */
public final class ManifestApp {
    private ManifestApp() {}

    public static void main(String[] args) throws IOException {
        Package own = ManifestApp.class.getPackage();
        System.out.println("app " + own.getImplementationTitle() + " " + own.getImplementationVersion());
        System.out.println(ManifestGreeter.greet(args.length == 0 ? "world" : args[0]));
        try (InputStream words = ManifestApp.class.getResourceAsStream("/words.txt")) {
            if (words == null) {
                throw new IllegalStateException("words.txt is not on the class path");
            }
            System.out.println("words " + new String(words.readAllBytes(), StandardCharsets.UTF_8).strip());
        }
    }
}
