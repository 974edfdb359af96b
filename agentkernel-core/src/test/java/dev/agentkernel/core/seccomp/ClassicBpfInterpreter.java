package dev.agentkernel.core.seccomp;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * A tiny classic-BPF interpreter for seccomp programs, supporting only the opcodes the compiler
 * emits. Mirrors the kernel's checks: every jump must land inside the program and execution must
 * end in a RET.
 */
final class ClassicBpfInterpreter {
    static final int LD_W_ABS = 0x20;
    static final int JMP_JEQ_K = 0x15;
    static final int JMP_JGE_K = 0x35;
    static final int JMP_JSET_K = 0x45;
    static final int RET_K = 0x06;

    /** One decoded {@code struct sock_filter}. */
    record Insn(int code, int jt, int jf, int k) {
    }

    private final List<Insn> program;

    ClassicBpfInterpreter(byte[] bytes) {
        this.program = decode(bytes);
    }

    static List<Insn> decode(byte[] bytes) {
        if (bytes.length % 8 != 0) {
            throw new IllegalArgumentException("program length " + bytes.length + " is not a multiple of 8");
        }
        ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        List<Insn> insns = new ArrayList<>();
        while (buffer.hasRemaining()) {
            int code = Short.toUnsignedInt(buffer.getShort());
            int jt = Byte.toUnsignedInt(buffer.get());
            int jf = Byte.toUnsignedInt(buffer.get());
            int k = buffer.getInt();
            insns.add(new Insn(code, jt, jf, k));
        }
        return insns;
    }

    List<Insn> instructions() {
        return program;
    }

    /** Runs the program against a {@code seccomp_data} and returns the seccomp action. */
    int run(int nr, int arch, long... args) {
        byte[] data = seccompData(nr, arch, args);
        int a = 0;
        int pc = 0;
        while (true) {
            if (pc < 0 || pc >= program.size()) {
                throw new IllegalStateException("pc " + pc + " ran off the program");
            }
            Insn insn = program.get(pc++);
            switch (insn.code()) {
                case LD_W_ABS -> {
                    if (insn.k() < 0 || insn.k() + 4 > data.length || insn.k() % 4 != 0) {
                        throw new IllegalStateException("bad load offset " + insn.k());
                    }
                    a = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).getInt(insn.k());
                }
                case JMP_JEQ_K -> pc += a == insn.k() ? insn.jt() : insn.jf();
                case JMP_JGE_K -> pc += Integer.compareUnsigned(a, insn.k()) >= 0 ? insn.jt() : insn.jf();
                case JMP_JSET_K -> pc += (a & insn.k()) != 0 ? insn.jt() : insn.jf();
                case RET_K -> {
                    return insn.k();
                }
                default -> throw new IllegalStateException("unsupported opcode 0x" + Integer.toHexString(insn.code()));
            }
        }
    }

    /** Builds the 64-byte {@code struct seccomp_data} (x86_64/aarch64 little-endian layout). */
    static byte[] seccompData(int nr, int arch, long... args) {
        if (args.length > 6) {
            throw new IllegalArgumentException("at most 6 syscall arguments");
        }
        ByteBuffer buffer = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(0, nr);
        buffer.putInt(4, arch);
        buffer.putLong(8, 0x7f00_1234_5678L);
        for (int i = 0; i < args.length; i++) {
            buffer.putLong(16 + 8 * i, args[i]);
        }
        return buffer.array();
    }
}
