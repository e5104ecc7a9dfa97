package io.projector.runner.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Resident memory of this process from /proc/self/status (Linux); -1 where that file is not there. */
final class ProcessMemory {

    private static final Path STATUS = Path.of("/proc/self/status");

    private ProcessMemory() {
    }

    /** Resident set size now, in bytes. */
    static long rss() {
        return field("VmRSS:");
    }

    /** Peak resident set size since the process started, in bytes. */
    static long peakRss() {
        return field("VmHWM:");
    }

    static long parseKb(String status, String field) {
        for (String line : status.split("\n")) {
            if (line.startsWith(field)) {
                String[] parts = line.substring(field.length()).trim().split("\\s+");
                return Long.parseLong(parts[0]) * 1024;
            }
        }
        return -1;
    }

    private static long field(String name) {
        try {
            return parseKb(Files.readString(STATUS), name);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
