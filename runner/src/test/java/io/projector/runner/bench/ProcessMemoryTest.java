package io.projector.runner.bench;

import io.projector.runner.Main;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProcessMemoryTest {

    @Test
    void readsKilobyteFieldsOfProcStatus() {
        String status = "Name:\tjava\nVmHWM:\t  524288 kB\nVmRSS:\t  262144 kB\n";
        assertThat(ProcessMemory.parseKb(status, "VmHWM:")).isEqualTo(512L * 1024 * 1024);
        assertThat(ProcessMemory.parseKb(status, "VmRSS:")).isEqualTo(256L * 1024 * 1024);
        assertThat(ProcessMemory.parseKb(status, "VmSwap:")).isEqualTo(-1);
    }
}
