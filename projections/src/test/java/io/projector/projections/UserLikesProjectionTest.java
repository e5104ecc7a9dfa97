package io.projector.projections;

import static io.projector.projections.Fixtures.like;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.projector.ChangeType;
import io.projector.Item;
import io.projector.ItemAttributeException;
import io.projector.ItemKey;
import io.projector.Write;
import io.projector.testkit.ChangeEvents;
import io.projector.testkit.ProjectionTestKit;
import io.projector.testkit.ReadModelCheck;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class UserLikesProjectionTest {

    private final ChangeEvents events = ChangeEvents.create();

    private final UserLikesProjection projection = new UserLikesProjection();
    private final ProjectionTestKit kit = ProjectionTestKit.of(projection);

    @Test
    void nameAndEntityTypes() {
        assertThat(projection.name()).isEqualTo("user-likes");
        assertThat(projection.entityTypes()).containsExactly("Like");
    }

    @Test
    void aLikeIsCopiedToTheUserAndToThePost() {
        kit.put(like("u1", "p1", "t1", "2024-05-02T00:00:00Z"));

        assertThat(kit.items().keySet()).containsExactly(
                ItemKey.of("POST#p1", "LIKER#u1"),
                ItemKey.of("USER#u1", "LIKED#p1"));
        Item liked = kit.item("USER#u1", "LIKED#p1").orElseThrow();
        assertThat(liked.string("topic")).isEqualTo("t1");
        assertThat(liked.string("likedAt")).isEqualTo("2024-05-02T00:00:00Z");
        assertThat(liked.asMap().keySet()).containsExactlyInAnyOrder("topic", "likedAt");
        Item liker = kit.item("POST#p1", "LIKER#u1").orElseThrow();
        assertThat(liker.asMap().keySet()).containsExactly("likedAt");
        assertThat(liker.string("likedAt")).isEqualTo("2024-05-02T00:00:00Z");
    }

    @Test
    void oneQueryEachListsAUsersLikesAndAPostsLikers() {
        kit.put(like("u1", "p1", "t1", "2024-05-02T00:00:00Z"));
        kit.put(like("u1", "p2", "t2", "2024-05-02T00:00:01Z"));
        kit.put(like("u2", "p1", "t1", "2024-05-02T00:00:02Z"));
        kit.put(like("u3", "p1", "t1", "2024-05-02T00:00:03Z"));

        assertThat(kit.query("USER#u1")).extracting(i -> i.string("topic")).containsExactly("t1", "t2");
        assertThat(kit.query("POST#p1")).extracting(i -> i.string("likedAt"))
                .containsExactly("2024-05-02T00:00:00Z", "2024-05-02T00:00:02Z", "2024-05-02T00:00:03Z");
        assertThat(kit.items().keySet().stream().filter(k -> k.pk().equals("POST#p1")).map(ItemKey::sk))
                .containsExactly("LIKER#u1", "LIKER#u2", "LIKER#u3");
    }

    @Test
    void aChangedLikeReplacesBothCopies() {
        kit.put(like("u1", "p1", "t1", "2024-05-02T00:00:00Z"));
        kit.put(like("u1", "p1", "t2", "2024-05-03T00:00:00Z"));

        assertThat(kit.items()).hasSize(2);
        assertThat(kit.item("USER#u1", "LIKED#p1").orElseThrow().string("topic")).isEqualTo("t2");
        assertThat(kit.item("USER#u1", "LIKED#p1").orElseThrow().string("likedAt")).isEqualTo("2024-05-03T00:00:00Z");
        assertThat(kit.item("POST#p1", "LIKER#u1").orElseThrow().string("likedAt")).isEqualTo("2024-05-03T00:00:00Z");
    }

    @Test
    void anUnlikeDeletesBothCopies() {
        kit.put(like("u1", "p1", "t1", "2024-05-02T00:00:00Z"));
        kit.put(like("u2", "p1", "t1", "2024-05-02T00:00:01Z"));

        kit.delete("USER#u1", "LIKE#p1");

        assertThat(kit.items().keySet()).containsExactly(
                ItemKey.of("POST#p1", "LIKER#u2"),
                ItemKey.of("USER#u2", "LIKED#p1"));
        assertThat(ReadModelCheck.comparable(kit.items())).isEqualTo(
                ReadModelCheck.of(projection).recomputed(List.of(like("u2", "p1", "t1", "2024-05-02T00:00:01Z"))));
    }

    @Test
    void likeAndUnlikeInOneBatchLeaveNothing() {
        kit.batch(() -> {
            kit.put(like("u1", "p1", "t1", "2024-05-02T00:00:00Z"));
            kit.put(like("u1", "p1", "t1", "2024-05-02T00:00:05Z"));
            kit.delete("USER#u1", "LIKE#p1");
        });

        assertThat(kit.items()).isEmpty();
    }

    @Test
    void anUnlikeReadsOnlyTheKey() {
        kit.put(like("u1", "p1", "t1", "2024-05-02T00:00:00Z"));
        Map<String, Object> broken = like("u1", "p1", "t1", "x");
        broken.remove("topic");
        broken.put("likedAt", 7);

        assertThat(projection.project(events.event(ChangeType.REMOVE, broken, null)))
                .containsExactly(Write.delete("USER#u1", "LIKED#p1"), Write.delete("POST#p1", "LIKER#u1"));
        kit.apply(events.event(ChangeType.REMOVE, broken, null));
        assertThat(kit.items()).isEmpty();
    }

    @Test
    void malformedLikesAreRefusedNamingTheAttribute() {
        Map<String, Object> noLikedAt = like("u1", "p1", "t1", "x");
        noLikedAt.remove("likedAt");
        assertThatThrownBy(() -> projection.project(events.event(ChangeType.INSERT, null, noLikedAt)))
                .isInstanceOf(ItemAttributeException.class).hasMessageContaining("'likedAt'").hasMessageContaining("missing");

        Map<String, Object> badPk = like("u1", "p1", "t1", "x");
        badPk.put("PK", "CUSTOMER#u1");
        assertThatThrownBy(() -> projection.project(events.event(ChangeType.INSERT, null, badPk)))
                .isInstanceOf(ItemAttributeException.class).hasMessageContaining("'PK'").hasMessageContaining("USER#<id>");
    }
}
