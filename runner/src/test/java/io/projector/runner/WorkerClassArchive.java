package io.projector.runner;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * A class-data-sharing archive of the worker's classes for the worker JVMs one test JVM starts.
 * The first worker started writes it when it exits normally ({@code -XX:ArchiveClassesAtExit});
 * the workers started after that map it ({@code -XX:SharedArchiveFile}) instead of loading and
 * verifying the AWS SDK, the KCL and netty class by class. Measured here: a worker's CPU time to
 * its first shard fell from 4.3–5.7 s to 2.6–2.9 s, on two cores shared with DynamoDB Local, the
 * tests and the other workers. What the worker does is the same; a JVM that cannot map the archive
 * runs without it.
 *
 * <p>One archive per test JVM: the two JVMs of the integration tests never race on one file. A
 * worker killed before it exits writes none, and the next worker started writes it instead. The
 * archive goes with the test JVM.
 */
final class WorkerClassArchive {

    private final Path archive;
    private final Path writing;
    private boolean written;
    private boolean beingWritten;

    WorkerClassArchive(Path directory) {
        this.archive = directory.resolve("worker-" + ProcessHandle.current().pid() + ".jsa");
        this.writing = directory.resolve("worker-" + ProcessHandle.current().pid() + ".jsa.writing");
        archive.toFile().deleteOnExit();
        writing.toFile().deleteOnExit();
    }

    /**
     * The JVM options for the next worker; {@link #exited} must be told when that worker's process ends.
     *
     * @param mayWrite whether this worker may be the one that writes the archive, which adds about 4 s
     *                 to its exit: not for a worker whose stop a test times
     */
    synchronized List<String> options(boolean mayWrite) {
        if (written) {
            return List.of("-XX:SharedArchiveFile=" + archive);
        }
        if (beingWritten || !mayWrite) {
            return List.of();
        }
        beingWritten = true;
        try {
            Files.createDirectories(writing.getParent());
            Files.deleteIfExists(writing);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return List.of("-XX:ArchiveClassesAtExit=" + writing);
    }

    /** A worker started with {@code options} ended with {@code exitCode}: an archive it wrote is used from now on. */
    synchronized void exited(List<String> options, int exitCode) {
        if (options.isEmpty() || written || !options.get(0).startsWith("-XX:ArchiveClassesAtExit")) {
            return;
        }
        beingWritten = false;
        try {
            if (exitCode == 0 && Files.size(writing) > 0) {
                Files.move(writing, archive, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                written = true;
            }
        } catch (IOException e) {
            // None written (killed before its exit): the next worker writes it.
        }
    }
}
