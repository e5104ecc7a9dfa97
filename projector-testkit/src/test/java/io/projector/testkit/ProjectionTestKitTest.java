package io.projector.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.projector.ChangeEvent;
import io.projector.Projection;
import io.projector.ProjectionFailedException;
import io.projector.Write;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The kit fails a test on a change its projection cannot project, unless told to park such changes like a worker. */
class ProjectionTestKitTest {

    /** Copies a Note's text; needs the text. */
    static final class NoteCopy implements Projection {
        @Override
        public String name() {
            return "note-copy";
        }

        @Override
        public Set<String> entityTypes() {
            return Set.of("Note");
        }

        @Override
        public List<Write> project(ChangeEvent event) {
            return event.newImage().isEmpty()
                    ? List.of(Write.delete("NOTE#" + event.latestImage().string("PK"), "COPY"))
                    : List.of(Write.put("NOTE#" + event.latestImage().string("PK"), "COPY").with("text", event.latestImage().string("text")));
        }
    }

    @Test
    void strictByDefaultAndTheSourceCopyIsNotChangedByAFailedPut() {
        ProjectionTestKit kit = ProjectionTestKit.of(new NoteCopy());
        assertThatThrownBy(() -> kit.put(Map.of("PK", "n1", "SK", "NOTE", "type", "Note")))
                .isInstanceOf(ProjectionFailedException.class)
                .hasMessageContaining("note-copy").hasMessageContaining("'text'").hasMessageContaining("is missing");
        kit.put(Map.of("PK", "n1", "SK", "NOTE", "type", "Note", "text", "hello"));
        assertThat(kit.item("NOTE#n1", "COPY").orElseThrow().string("text")).isEqualTo("hello");
    }

    @Test
    void parkingFailuresParksLikeAWorkerAndLaterChangesOfTheItemWaitBehind() {
        ProjectionTestKit kit = ProjectionTestKit.of(new NoteCopy()).parkingFailures();
        kit.put(Map.of("PK", "n1", "SK", "NOTE", "type", "Note"));
        kit.put(Map.of("PK", "n1", "SK", "NOTE", "type", "Note", "text", "later"));
        kit.put(Map.of("PK", "n2", "SK", "NOTE", "type", "Note", "text", "fine"));

        assertThat(kit.parked()).hasSize(2);
        assertThat(kit.parked().get(0).reason()).contains("'text'");
        assertThat(kit.parked().get(1).reason()).contains("waits behind");
        assertThat(kit.item("NOTE#n1", "COPY")).isEmpty();
        assertThat(kit.item("NOTE#n2", "COPY")).isPresent();
    }

    /** Needs a class its plugin jar forgot, as a projection does when a dependency is missing at run time. */
    static final class MissingDependency implements Projection {
        @Override
        public String name() {
            return "needs-money";
        }

        @Override
        public Set<String> entityTypes() {
            return Set.of("Note");
        }

        @Override
        public List<Write> project(ChangeEvent event) {
            throw new NoClassDefFoundError("com/acme/money/Money");
        }
    }

    @Test
    void anErrorFromTheProjectionFailsTheTestOrIsParkedLikeAnyFailure() {
        assertThatThrownBy(() -> ProjectionTestKit.of(new MissingDependency()).put(Map.of("PK", "n1", "SK", "NOTE", "type", "Note")))
                .isInstanceOf(ProjectionFailedException.class)
                .hasMessageContaining("needs-money").hasMessageContaining("NoClassDefFoundError: com/acme/money/Money");

        ProjectionTestKit kit = ProjectionTestKit.of(new MissingDependency(), new NoteCopy()).parkingFailures();
        kit.put(Map.of("PK", "n1", "SK", "NOTE", "type", "Note", "text", "kept"));
        assertThat(kit.parked()).extracting(ProjectionFailedException::projection).containsExactly("needs-money");
        assertThat(kit.item("NOTE#n1", "COPY")).as("the other projection's write of the same change").isPresent();
    }
}
