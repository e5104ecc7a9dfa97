package io.projector.runner;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** {@code projector run} in a JVM of its own, started from the packaged jar, as ECS would run it. */
final class WorkerProcess {

    private final Process process;
    private final Path log;

    private WorkerProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** The worker JVMs' class archive, per test JVM: written by one worker, used by the later ones. */
    private static final WorkerClassArchive CLASSES = new WorkerClassArchive(Path.of("target", "cds"));

    static WorkerProcess start(String name, String... args) throws IOException {
        return start(true, name, args);
    }

    /** A worker whose stop the test times: it never writes the class archive, which would lengthen its exit. */
    static WorkerProcess startTimed(String name, String... args) throws IOException {
        return start(false, name, args);
    }

    private static WorkerProcess start(boolean mayWriteArchive, String name, String... args) throws IOException {
        Path jar = Path.of("target", "projector.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar.toAbsolutePath() + " is missing: run the tests with 'mvn verify' (after package)");
        }
        // C1 only and the serial collector: a test's worker lives a minute or two, and its C2 compiler and G1
        // threads compete with DynamoDB Local, the test and the other workers for two cores; KillAndRestartIT
        // used 30% less CPU with these (65 against 95 CPU-s). Neither changes what the worker does.
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"));
        List<String> archive = CLASSES.options(mayWriteArchive);
        command.addAll(archive);
        command.addAll(List.of("-jar", jar.toString()));
        command.addAll(List.of(args));
        Path log = Path.of("target", "worker-" + name + ".log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        // Tests serve /health, /ready and /metrics on loopback only, on a free port (not the default 0.0.0.0:8080).
        builder.environment().putIfAbsent("PROJECTOR_HTTP_HOST", "127.0.0.1");
        builder.environment().putIfAbsent("PROJECTOR_HTTP_PORT", "0");
        // Stream reads every 100 ms. The default on DynamoDB Local is 20 ms, for the demo's lag: an idle lease
        // holder and DynamoDB Local then used 37% of a core, 21% at 100 ms (measured), CPU that the other
        // workers and the tests' writers need on two cores. A read still returns up to 1,000 records.
        builder.environment().putIfAbsent("PROJECTOR_POLL_INTERVAL_MS", "100");
        Process p = builder.start();
        p.onExit().thenAccept(ended -> CLASSES.exited(archive, ended.exitValue()));
        return new WorkerProcess(p, log);
    }

    /** SIGKILL: no shutdown of any kind. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    /** SIGTERM, then the exit code. */
    int terminate() throws InterruptedException {
        process.destroy();
        return process.waitFor();
    }

    /** SIGTERM, then the exit code if the process ends within {@code max}; otherwise SIGKILL and null. */
    Integer terminateWithin(java.time.Duration max) throws InterruptedException {
        process.destroy();
        if (process.waitFor(max.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
            return process.exitValue();
        }
        kill();
        return null;
    }

    /** SIGSTOP: the whole JVM freezes mid-whatever, as a long GC pause or a starved container would; its lease runs out. */
    void pause() throws IOException, InterruptedException {
        signal("STOP");
    }

    /** SIGCONT: the frozen JVM goes on from where it stood, sending what it was sending. */
    void resume() throws IOException, InterruptedException {
        signal("CONT");
    }

    private void signal(String name) throws IOException, InterruptedException {
        int code = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start().waitFor();
        if (code != 0) {
            throw new IllegalStateException("kill -" + name + " " + process.pid() + " exited " + code);
        }
    }

    boolean isAlive() {
        return process.isAlive();
    }

    String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public String toString() {
        return "worker pid " + process.pid() + " (log " + log.toAbsolutePath() + File.separator + ")";
    }
}
