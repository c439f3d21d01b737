package dev.airlock.build;

import net.bytebuddy.jar.asm.ClassWriter;

/**
 * An ASM class writer that computes frames and merges types by the jar's own class files ({@link
 * JarClassHierarchy}) instead of loading classes, which ASM's default would do through this
 * tool's class loader, where the jar's classes are not.
 */
final class HierarchyClassWriter extends ClassWriter {
    private final JarClassHierarchy hierarchy;

    HierarchyClassWriter(JarClassHierarchy hierarchy) {
        super(ClassWriter.COMPUTE_FRAMES);
        this.hierarchy = hierarchy;
    }

    @Override
    protected String getCommonSuperClass(String first, String second) {
        return hierarchy.commonSuperClass(first, second);
    }
}
