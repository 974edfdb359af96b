import dev.agentkernel.client.AgentKernel;
import dev.agentkernel.client.AuditEvent;
import dev.agentkernel.client.ExecOptions;
import dev.agentkernel.client.FileContent;
import dev.agentkernel.client.RunResult;
import dev.agentkernel.client.SandboxOptions;
import dev.agentkernel.client.SandboxSession;
import java.util.List;

/**
 * A persistent sandbox for the length of a try block: files in, a program run, files out.
 * The sandbox is removed when the block ends, also when it throws.
 */
public class SandboxFiles {
    public static void main(String[] args) {
        String name = "example-" + ProcessHandle.current().pid();
        try (AgentKernel client = AgentKernel.create();
             SandboxSession sandbox = client.sandbox(name, SandboxOptions.defaults().withMemoryMb(256))) {
            sandbox.writeFile("/workspace/count.py", """
                    import sys
                    data = open('/workspace/input.bin', 'rb').read()
                    open('/workspace/report.txt', 'w').write(f'{len(data)} bytes, {data.count(0)} zero bytes\\n')
                    print('report written')
                    """);
            sandbox.writeFile("/workspace/input.bin", new byte[] {0, 1, 2, 0, (byte) 0xff}); // raw bytes

            RunResult run = sandbox.run(List.of("python3", "count.py"), ExecOptions.defaults().withWorkdir("/workspace"));
            System.out.print(run.output());

            FileContent report = sandbox.readFile("/workspace/report.txt");
            System.out.print("report: " + report.text());
            byte[] back = sandbox.readFileBytes("/workspace/input.bin");
            System.out.println("input.bin read back: " + back.length + " bytes");

            for (AuditEvent event : sandbox.logs()) {
                System.out.println("audit: " + event.timestamp() + " " + event.event() + " " + event.details());
            }
        }
        System.out.println("sandbox " + name + " removed");
    }
}
