package dev.airlock.build;

import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;

/**
 * Passes a class on with another class-file version, and refuses one whose methods use {@code
 * jsr} or {@code ret}: those are not allowed from version 51 on and cannot simply be relabelled.
 */
final class VersionSetter extends ClassVisitor {
    private final int version;
    private String name;

    VersionSetter(ClassVisitor next, int version) {
        super(Opcodes.ASM9, next);
        this.version = version;
    }

    @Override
    public void visit(
            int oldVersion, int access, String className, String signature, String superName, String[] interfaces) {
        this.name = className;
        super.visit(version, access, className, signature, superName, interfaces);
    }

    @Override
    public MethodVisitor visitMethod(
            int access, String method, String descriptor, String signature, String[] exceptions) {
        MethodVisitor next = super.visitMethod(access, method, descriptor, signature, exceptions);
        return new MethodVisitor(Opcodes.ASM9, next) {
            @Override
            public void visitJumpInsn(int opcode, net.bytebuddy.jar.asm.Label label) {
                if (opcode == Opcodes.JSR) {
                    throw new IllegalArgumentException(name + "." + method + " uses jsr: not upgraded");
                }
                super.visitJumpInsn(opcode, label);
            }

            @Override
            public void visitVarInsn(int opcode, int slot) {
                if (opcode == Opcodes.RET) {
                    throw new IllegalArgumentException(name + "." + method + " uses ret: not upgraded");
                }
                super.visitVarInsn(opcode, slot);
            }
        };
    }
}
