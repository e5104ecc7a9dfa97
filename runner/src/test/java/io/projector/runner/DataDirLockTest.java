package io.projector.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A second projector on an embedded DynamoDB Local's data directory is refused in one line, before it starts. */
class DataDirLockTest {

    @TempDir
    Path dir;

    @Test
    @Timeout(120)       // without the lock the second run starts and runs until stopped
    void aSecondRunOnTheSameDataDirectoryIsRefusedAndTheLockEndsWithItsHolder() {
        StringWriter err = new StringWriter();
        try (DataDirLock held = DataDirLock.take(dir, "projector demo")) {
            int code = Main.execute(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true),
                    "run", "--local", "--data-dir", dir.toString(), "--http-host", "127.0.0.1", "--http-port", "0");
            assertThat(code).as(err::toString).isEqualTo(2);
            assertThat(err.toString().strip().lines()).hasSize(1);
            assertThat(err.toString()).contains("--local: the data directory " + dir.toAbsolutePath()
                    + " is in use by another projector (run --local, status --local or demo on it)");
            assertThatThrownBy(() -> DataDirLock.take(dir, "status")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("status: the data directory");
        }
        try (DataDirLock again = DataDirLock.take(dir, "projector demo")) {
            assertThat(dir.resolve(DataDirLock.FILE)).exists();
        }
    }
}
