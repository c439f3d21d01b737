package dev.airlock.it.app;

import java.net.URLClassLoader;
import java.util.function.Supplier;

/**
 * A class the catalogue loads from a jar in its fixture through a {@link URLClassLoader} whose
 * parent is the platform loader: the jar is the only place that loader can find it, so loading it
 * proves the jar was opened. It is never copied into the application's class directory.
 */
public final class Plugin implements Supplier<String> {
    @Override
    public String get() {
        // Says which kind of loader defined it, not which instance: the line must be the same in every run.
        return "plugin loaded by a URLClassLoader: " + (getClass().getClassLoader() instanceof URLClassLoader);
    }
}
