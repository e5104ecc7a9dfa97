package io.projector.projections;

import static io.projector.projections.Fixtures.like;
import static io.projector.projections.Fixtures.post;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.projector.ChangeType;
import io.projector.Item;
import io.projector.ItemAttributeException;
import io.projector.Write;
import io.projector.testkit.ChangeEvents;
import io.projector.testkit.ProjectionTestKit;
import io.projector.testkit.ReadModelCheck;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PostLikesProjectionTest {

    private final ChangeEvents events = ChangeEvents.create();

    private final PostLikesProjection projection = new PostLikesProjection();
    private final ProjectionTestKit kit = ProjectionTestKit.of(projection);

    private Item postItem(String topic, String postId) {
        return kit.item("TOPIC#" + topic, "POST#" + postId).orElseThrow();
    }

    private long likes(String topic, String postId) {
        return kit.item("TOPIC#" + topic, "POST#" + postId).map(i -> i.longValue("likeCount")).orElse(0L);
    }

    /** The kit's read model equals what the verifier recomputes from these final source items. */
    private void assertMatchesRecomputation(List<Map<String, Object>> finalSource) {
        assertThat(ReadModelCheck.comparable(kit.items())).isEqualTo(ReadModelCheck.of(projection).recomputed(finalSource));
    }

    @Test
    void nameAndEntityTypes() {
        assertThat(projection.name()).isEqualTo("post-likes");
        assertThat(projection.entityTypes()).containsExactlyInAnyOrder("Post", "Like");
    }

    @Test
    void oneQueryListsTheTopicsPostsWithTheirLikes() {
        kit.put(post("t1", "p1", "Hello", "ada"));
        kit.put(post("t1", "p2", "World", "bob"));
        kit.put(post("t2", "p3", "Elsewhere", "cy"));
        kit.put(like("u1", "p1", "t1", "2024-05-02T00:00:00Z"));
        kit.put(like("u2", "p1", "t1", "2024-05-02T00:00:01Z"));
        kit.put(like("u3", "p1", "t1", "2024-05-02T00:00:02Z"));
        kit.put(like("u1", "p2", "t1", "2024-05-02T00:00:03Z"));

        List<Item> topic = kit.query("TOPIC#t1");
        assertThat(topic).hasSize(2);
        assertThat(topic.get(0).string("title")).isEqualTo("Hello");
        assertThat(topic.get(0).string("author")).isEqualTo("ada");
        assertThat(topic.get(0).longValue("likeCount")).isEqualTo(3);
        assertThat(topic.get(1).string("title")).isEqualTo("World");
        assertThat(topic.get(1).longValue("likeCount")).isEqualTo(1);
        assertThat(topic.get(0).asMap().keySet()).containsExactlyInAnyOrder("title", "author", "likeCount");
    }

    @Test
    void postWithoutLikesShowsZero() {
        kit.put(post("t1", "p1", "Hello", "ada"));
        assertThat(postItem("t1", "p1").longValue("likeCount")).isZero();
    }

    @Test
    void likesBeforeTheirPostAreCounted() {
        kit.put(like("u1", "p1", "t1", "2024-05-02T00:00:00Z"));
        kit.put(like("u2", "p1", "t1", "2024-05-02T00:00:01Z"));
        Item orphan = postItem("t1", "p1");
        assertThat(orphan.longValue("likeCount")).isEqualTo(2);
        assertThat(orphan.has("title")).isFalse();

        kit.put(post("t1", "p1", "Hello", "ada"));

        Item p = postItem("t1", "p1");
        assertThat(p.string("title")).isEqualTo("Hello");
        assertThat(p.string("author")).isEqualTo("ada");
        assertThat(p.longValue("likeCount")).isEqualTo(2);
        assertMatchesRecomputation(List.of(
                like("u1", "p1", "t1", "2024-05-02T00:00:00Z"),
                like("u2", "p1", "t1", "2024-05-02T00:00:01Z"),
                post("t1", "p1", "Hello", "ada")));
    }

    @Test
    void unlikeTakesTheLikeBack() {
        kit.put(post("t1", "p1", "Hello", "ada"));
        kit.put(like("u1", "p1", "t1", "2024-05-02T00:00:00Z"));
        kit.put(like("u2", "p1", "t1", "2024-05-02T00:00:01Z"));

        kit.delete("USER#u1", "LIKE#p1");

        assertThat(likes("t1", "p1")).isEqualTo(1);
        kit.delete("USER#u2", "LIKE#p1");
        assertThat(likes("t1", "p1")).isZero();
        assertThat(postItem("t1", "p1").string("title")).isEqualTo("Hello");
        assertMatchesRecomputation(List.of(post("t1", "p1", "Hello", "ada")));
    }

    @Test
    void editingThePostKeepsItsCount() {
        kit.put(post("t1", "p1", "Hello", "ada"));
        kit.put(like("u1", "p1", "t1", "2024-05-02T00:00:00Z"));

        kit.put(post("t1", "p1", "Hello, edited", "ada"));

        assertThat(postItem("t1", "p1").string("title")).isEqualTo("Hello, edited");
        assertThat(likes("t1", "p1")).isEqualTo(1);
    }

    @Test
    void deletingThePostKeepsTheCountOfLikesThatStillExist() {
        kit.put(post("t1", "p1", "Hello", "ada"));
        kit.put(like("u1", "p1", "t1", "2024-05-02T00:00:00Z"));
        kit.put(like("u2", "p1", "t1", "2024-05-02T00:00:01Z"));

        kit.delete("TOPIC#t1", "POST#p1");

        Item left = postItem("t1", "p1");
        assertThat(left.longValue("likeCount")).isEqualTo(2);
        // title and author are removed, not blanked: the item is exactly what the two remaining likes make.
        assertThat(left.asMap()).containsOnlyKeys("likeCount");
        assertThat(ReadModelCheck.comparable(kit.items())).isEqualTo(ReadModelCheck.of(projection).recomputed(List.of(
                like("u1", "p1", "t1", "2024-05-02T00:00:00Z"),
                like("u2", "p1", "t1", "2024-05-02T00:00:01Z"))));

        kit.delete("USER#u1", "LIKE#p1");
        kit.delete("USER#u2", "LIKE#p1");
        assertThat(likes("t1", "p1")).isZero();
        assertThat(ReadModelCheck.comparable(kit.items())).isEmpty();
    }

    @Test
    void aPostDeletedAndRecreatedNeitherLosesNorInventsLikes() {
        kit.put(post("t1", "p1", "Hello", "ada"));
        kit.put(like("u1", "p1", "t1", "2024-05-02T00:00:00Z"));
        kit.put(like("u2", "p1", "t1", "2024-05-02T00:00:01Z"));
        kit.delete("TOPIC#t1", "POST#p1");
        kit.put(like("u3", "p1", "t1", "2024-05-02T00:00:02Z"));   // a like while the post is gone
        kit.delete("USER#u1", "LIKE#p1");                         // an unlike while the post is gone

        kit.put(post("t1", "p1", "Hello again", "ada"));

        Item p = postItem("t1", "p1");
        assertThat(p.string("title")).isEqualTo("Hello again");
        assertThat(p.string("author")).isEqualTo("ada");
        assertThat(p.longValue("likeCount")).isEqualTo(2);
        assertMatchesRecomputation(List.of(
                like("u2", "p1", "t1", "2024-05-02T00:00:01Z"),
                like("u3", "p1", "t1", "2024-05-02T00:00:02Z"),
                post("t1", "p1", "Hello again", "ada")));
    }

    @Test
    void aLikeWhoseTopicChangesMovesItsCount() {
        kit.put(post("t1", "p1", "Hello", "ada"));
        kit.put(like("u1", "p1", "t1", "2024-05-02T00:00:00Z"));
        kit.put(like("u2", "p1", "t1", "2024-05-02T00:00:01Z"));

        kit.put(like("u1", "p1", "t2", "2024-05-02T00:00:00Z"));

        assertThat(likes("t1", "p1")).isEqualTo(1);
        assertThat(likes("t2", "p1")).isEqualTo(1);
        assertThat(kit.item("TOPIC#t2", "POST#p1").orElseThrow().has("title")).isFalse();
        assertMatchesRecomputation(List.of(
                post("t1", "p1", "Hello", "ada"),
                like("u1", "p1", "t2", "2024-05-02T00:00:00Z"),
                like("u2", "p1", "t1", "2024-05-02T00:00:01Z")));
    }

    @Test
    void aLikeChangeThatKeepsTheTopicWritesNothing() {
        List<Write> writes = projection.project(events.event(ChangeType.MODIFY,
                like("u1", "p1", "t1", "2024-05-02T00:00:00Z"), like("u1", "p1", "t1", "2024-05-03T00:00:00Z")));
        assertThat(writes).isEmpty();
    }

    @Test
    void writesAreSetsAndIncrementsNeverPutsOrDeletes() {
        assertThat(projection.project(events.event(ChangeType.INSERT, null, post("t1", "p1", "Hello", "ada")))).containsExactly(
                Write.set("TOPIC#t1", "POST#p1").with("title", "Hello").with("author", "ada"),
                Write.increment("TOPIC#t1", "POST#p1", "likeCount", 0));
        assertThat(projection.project(events.event(ChangeType.REMOVE, post("t1", "p1", "Hello", "ada"), null))).containsExactly(
                Write.set("TOPIC#t1", "POST#p1").without("title", "author"));
        assertThat(projection.project(events.event(ChangeType.INSERT, null, like("u1", "p1", "t1", "x")))).containsExactly(
                Write.increment("TOPIC#t1", "POST#p1", "likeCount", 1));
        assertThat(projection.project(events.event(ChangeType.REMOVE, like("u1", "p1", "t1", "x"), null))).containsExactly(
                Write.increment("TOPIC#t1", "POST#p1", "likeCount", -1));
        assertThat(projection.project(events.event(ChangeType.MODIFY, like("u1", "p1", "t1", "x"), like("u1", "p1", "t2", "x")))).containsExactly(
                Write.increment("TOPIC#t1", "POST#p1", "likeCount", -1),
                Write.increment("TOPIC#t2", "POST#p1", "likeCount", 1));
    }

    @Test
    void theRemoveOfAPostWithBrokenAttributesStillRemovesItsTitle() {
        kit.put(post("t1", "p1", "Hello", "ada"));
        kit.put(like("u1", "p1", "t1", "2024-05-02T00:00:00Z"));
        Map<String, Object> broken = post("t1", "p1", "Hello", "ada");
        broken.remove("title");
        broken.put("author", 42);

        kit.apply(events.event(ChangeType.REMOVE, broken, null));

        assertThat(postItem("t1", "p1").has("title")).isFalse();
        assertThat(likes("t1", "p1")).isEqualTo(1);
    }

    @Test
    void everythingInOneBatchCoalescesToTheSameResult() {
        List<Map<String, Object>> finalSource = new ArrayList<>();
        kit.batch(() -> {
            kit.put(like("u1", "p1", "t1", "2024-05-02T00:00:00Z"));
            kit.put(post("t1", "p1", "Hello", "ada"));
            kit.put(like("u2", "p1", "t1", "2024-05-02T00:00:01Z"));
            kit.delete("TOPIC#t1", "POST#p1");
            kit.put(like("u3", "p1", "t1", "2024-05-02T00:00:02Z"));
            kit.delete("USER#u2", "LIKE#p1");
            kit.put(post("t1", "p1", "Hello again", "bob"));
            kit.put(like("u1", "p1", "t2", "2024-05-02T00:00:00Z"));
        });
        finalSource.add(like("u1", "p1", "t2", "2024-05-02T00:00:00Z"));
        finalSource.add(like("u3", "p1", "t1", "2024-05-02T00:00:02Z"));
        finalSource.add(post("t1", "p1", "Hello again", "bob"));

        assertThat(kit.commits()).isEqualTo(1);
        assertThat(postItem("t1", "p1").string("title")).isEqualTo("Hello again");
        assertThat(postItem("t1", "p1").string("author")).isEqualTo("bob");
        assertThat(likes("t1", "p1")).isEqualTo(1);
        assertThat(likes("t2", "p1")).isEqualTo(1);
        assertMatchesRecomputation(finalSource);
    }

    @Test
    void aLikeTurnedIntoAnotherEntityTypeIsAnUnlike() {
        kit.put(like("u1", "p1", "t1", "2024-05-02T00:00:00Z"));
        Map<String, Object> bookmark = like("u1", "p1", "t1", "2024-05-02T00:00:00Z");
        bookmark.put("type", "Bookmark");

        kit.put(bookmark);

        assertThat(likes("t1", "p1")).isZero();
    }

    @Test
    void malformedSourceItemsAreRefusedNamingTheAttribute() {
        // Called directly: what the engine then does with the change (park it or halt) is the engine's business.
        Map<String, Object> noTopic = like("u1", "p1", "t1", "x");
        noTopic.remove("topic");
        assertThatThrownBy(() -> projection.project(events.event(ChangeType.INSERT, null, noTopic)))
                .isInstanceOf(ItemAttributeException.class).hasMessageContaining("'topic'").hasMessageContaining("missing");

        Map<String, Object> badSk = like("u1", "p1", "t1", "x");
        badSk.put("SK", "FAVOURITE#p1");
        assertThatThrownBy(() -> projection.project(events.event(ChangeType.INSERT, null, badSk)))
                .isInstanceOf(ItemAttributeException.class).hasMessageContaining("'SK'").hasMessageContaining("LIKE#<id>");

        Map<String, Object> hashInTopic = like("u1", "p1", "a#b", "x");
        assertThatThrownBy(() -> projection.project(events.event(ChangeType.INSERT, null, hashInTopic)))
                .isInstanceOf(ItemAttributeException.class).hasMessageContaining("'topic'").hasMessageContaining("a#b");

        Map<String, Object> noTitle = post("t1", "p1", "Hello", "ada");
        noTitle.remove("title");
        assertThatThrownBy(() -> projection.project(events.event(ChangeType.INSERT, null, noTitle)))
                .isInstanceOf(ItemAttributeException.class).hasMessageContaining("'title'");
    }
}
