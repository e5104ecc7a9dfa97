package io.projector.runner;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One process at a time on an embedded DynamoDB Local's data directory. Two of them on the same
 * files (a second {@code run --local}, {@code status --local} or {@code demo}) flood "database is
 * locked" from its SQLite store; the second is refused at once instead. The lock is the operating
 * system's, so it ends with the process that holds it, however that process ends.
 */
final class DataDirLock implements AutoCloseable {

    static final String FILE = ".projector.lock";

    private final FileChannel channel;
    private final FileLock lock;

    private DataDirLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** @param what the command that asks, for the one-line refusal */
    static DataDirLock take(Path dataDir, String what) {
        FileChannel channel = null;
        try {
            Files.createDirectories(dataDir);
            channel = FileChannel.open(dataDir.resolve(FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;     // held by this very process
            }
            if (lock == null) {
                throw new IllegalArgumentException(what + ": the data directory " + dataDir.toAbsolutePath() + " is in use by another "
                        + "projector (run --local, status --local or demo on it): stop that one, or choose another --data-dir");
            }
            return new DataDirLock(channel, lock);
        } catch (IOException e) {
            closeQuietly(channel);
            throw new IllegalArgumentException(what + ": cannot lock the data directory " + dataDir.toAbsolutePath() + ": " + e.getMessage());
        } catch (RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
        } catch (IOException e) {
            // the channel's close below releases it too
        }
        closeQuietly(channel);
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                // nothing held any more
            }
        }
    }
}
