package io.projector.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.projector.ChangeEvent;
import io.projector.Item;
import io.projector.ItemKey;
import io.projector.Projection;
import io.projector.Write;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Record;

/** Stream records written as JSON reach projections through {@link ProjectionTestKit#applyJson}. */
class StreamRecordJsonTest {

    /** Copies every attribute of a {@code Note} to {@code COPY#<PK> | <SK>}; counts notes per owner; deletes the copy on REMOVE. */
    static final class NoteCopy implements Projection {
        final List<ChangeEvent> seen = new ArrayList<>();

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
            seen.add(event);
            List<Write> writes = new ArrayList<>();
            event.oldImage().ifPresent(old -> writes.add(Write.increment("OWNER#" + old.string("owner"), "NOTES", "count", -1)));
            event.newImage().ifPresent(now -> writes.add(Write.increment("OWNER#" + now.string("owner"), "NOTES", "count", 1)));
            Item latest = event.latestImage();
            String pk = "COPY#" + latest.string("PK");
            if (event.newImage().isPresent()) {
                Map<String, AttributeValue> copy = new LinkedHashMap<>(latest.asMap());
                copy.remove("PK");
                copy.remove("SK");
                writes.add(new Write.Put(ItemKey.of(pk, latest.string("SK")), copy));
            } else {
                writes.add(Write.delete(pk, latest.string("SK")));
            }
            return writes;
        }
    }

    private final NoteCopy projection = new NoteCopy();
    private final ProjectionTestKit kit = ProjectionTestKit.of(projection);

    private static final String KEYS = "\"Keys\": {\"PK\": {\"S\": \"NOTE#1\"}, \"SK\": {\"S\": \"NOTE\"}}";

    private static String image(String owner, String text) {
        return "{\"PK\": {\"S\": \"NOTE#1\"}, \"SK\": {\"S\": \"NOTE\"}, \"type\": {\"S\": \"Note\"}, "
                + "\"owner\": {\"S\": \"" + owner + "\"}, \"text\": {\"S\": \"" + text + "\"}}";
    }

    @Test
    void insertModifyAndRemoveReachTheProjection() {
        kit.applyJson("""
                {"eventID": "1", "eventName": "INSERT", "eventVersion": "1.1", "eventSource": "aws:dynamodb", "awsRegion": "eu-west-1",
                 "dynamodb": {%s, "NewImage": %s, "SequenceNumber": "4421584500000000017450439091",
                              "ApproximateCreationDateTime": 1700000000, "SizeBytes": 59, "StreamViewType": "NEW_AND_OLD_IMAGES"},
                 "eventSourceARN": "arn:aws:dynamodb:eu-west-1:123456789012:table/notes/stream/2024-01-01T00:00:00.000"}
                """.formatted(KEYS, image("ann", "hello")));
        assertThat(kit.item("COPY#NOTE#1", "NOTE").orElseThrow().string("text")).isEqualTo("hello");
        assertThat(kit.item("OWNER#ann", "NOTES").orElseThrow().longValue("count")).isEqualTo(1);
        ChangeEvent insert = projection.seen.get(0);
        assertThat(insert.sequenceNumber().toString()).isEqualTo("4421584500000000017450439091");
        assertThat(insert.approximateCreationTime()).isEqualTo(Instant.ofEpochSecond(1700000000));
        assertThat(insert.entityType()).isEqualTo("Note");

        kit.applyJson("""
                {"eventName": "MODIFY", "dynamodb": {%s, "OldImage": %s, "NewImage": %s}}
                """.formatted(KEYS, image("ann", "hello"), image("bob", "edited")));
        assertThat(kit.item("COPY#NOTE#1", "NOTE").orElseThrow().string("text")).isEqualTo("edited");
        assertThat(kit.item("OWNER#ann", "NOTES").orElseThrow().longValue("count")).isZero();
        assertThat(kit.item("OWNER#bob", "NOTES").orElseThrow().longValue("count")).isEqualTo(1);
        assertThat(projection.seen.get(1).sequenceNumber()).as("a record without a sequence number comes after the last one")
                .isGreaterThan(insert.sequenceNumber());

        kit.applyJson("""
                {"eventName": "REMOVE", "dynamodb": {%s, "OldImage": %s}}
                """.formatted(KEYS, image("bob", "edited")));
        assertThat(kit.item("COPY#NOTE#1", "NOTE")).isEmpty();
        assertThat(kit.item("OWNER#bob", "NOTES").orElseThrow().longValue("count")).isZero();
        assertThat(projection.seen).extracting(e -> e.type().name()).containsExactly("INSERT", "MODIFY", "REMOVE");
        assertThat(kit.commits()).isEqualTo(3);
    }

    @Test
    void anArrayIsOneStreamBatchAndLaterKitChangesComeAfterIt() {
        kit.applyJson("""
                [{"eventName": "INSERT", "dynamodb": {%s, "NewImage": %s}},
                 {"eventName": "MODIFY", "dynamodb": {%s, "OldImage": %s, "NewImage": %s}}]
                """.formatted(KEYS, image("ann", "one"), KEYS, image("ann", "one"), image("ann", "two")));
        assertThat(kit.commits()).as("two records, one batch, one transaction").isEqualTo(1);
        assertThat(kit.item("COPY#NOTE#1", "NOTE").orElseThrow().string("text")).isEqualTo("two");
        assertThat(kit.item("OWNER#ann", "NOTES").orElseThrow().longValue("count")).isEqualTo(1);

        kit.batch(() -> {
            kit.applyJson("""
                    {"eventName": "INSERT", "dynamodb": {"Keys": {"PK": {"S": "NOTE#2"}, "SK": {"S": "NOTE"}},
                     "NewImage": {"PK": {"S": "NOTE#2"}, "SK": {"S": "NOTE"}, "type": {"S": "Note"}, "owner": {"S": "ann"}},
                     "SequenceNumber": "900000000000000000000"}}
                    """);
            // A kit change after a record with a (large) sequence number is still in stream order.
            kit.put(Map.of("PK", "NOTE#3", "SK", "NOTE", "type", "Note", "owner", "ann"));
        });
        assertThat(kit.item("OWNER#ann", "NOTES").orElseThrow().longValue("count")).isEqualTo(3);
        assertThat(projection.seen.get(projection.seen.size() - 1).sequenceNumber().toString()).isEqualTo("900000000000000000001");
    }

    @Test
    void aLambdaEventWithRecordsIsAccepted() {
        kit.applyJson("""
                {"Records": [{"eventName": "INSERT", "dynamodb": {%s, "NewImage": %s}}]}
                """.formatted(KEYS, image("ann", "hi")));
        assertThat(kit.item("COPY#NOTE#1", "NOTE")).isPresent();
    }

    @Test
    void jsonRecordsDoNotChangeTheKitsSourceCopy() {
        kit.applyJson("""
                {"eventName": "INSERT", "dynamodb": {%s, "NewImage": %s}}
                """.formatted(KEYS, image("ann", "hi")));
        // The kit has not seen NOTE#1, so this put is an INSERT, not a MODIFY.
        kit.put(Map.of("PK", "NOTE#1", "SK", "NOTE", "type", "Note", "owner", "ann", "text", "again"));
        assertThat(projection.seen.get(1).type().name()).isEqualTo("INSERT");
    }

    @Test
    void everyAttributeTypeParses() {
        byte[] bytes = "hello".getBytes(StandardCharsets.UTF_8);
        String b64 = java.util.Base64.getEncoder().encodeToString(bytes);
        kit.applyJson("""
                {"eventName": "INSERT", "dynamodb": {%s, "NewImage": {
                   "PK": {"S": "NOTE#1"}, "SK": {"S": "NOTE"}, "type": {"S": "Note"}, "owner": {"S": "ann"},
                   "n": {"N": "-12.50"}, "b": {"B": "%s"}, "yes": {"BOOL": true}, "no": {"BOOL": false}, "nothing": {"NULL": true},
                   "list": {"L": [{"S": "a"}, {"N": "1"}, {"L": []}, {"M": {"deep": {"BOOL": true}}}]},
                   "map": {"M": {"s": {"S": "x"}, "inner": {"M": {"n": {"N": "7"}}}}},
                   "ss": {"SS": ["a", "b"]}, "ns": {"NS": ["1", "2.5"]}, "bs": {"BS": ["%s"]}}}}
                """.formatted(KEYS, b64, b64));
        Item copy = kit.item("COPY#NOTE#1", "NOTE").orElseThrow();
        assertThat(copy.string("owner")).isEqualTo("ann");
        assertThat(copy.number("n")).isEqualByComparingTo("-12.5");
        assertThat(copy.binary("b").asByteArray()).isEqualTo(bytes);
        assertThat(copy.bool("yes")).isTrue();
        assertThat(copy.bool("no")).isFalse();
        assertThat(copy.asMap().get("nothing")).isEqualTo(AttributeValue.fromNul(true));
        assertThat(copy.has("nothing")).isFalse();
        assertThat(copy.list("list")).containsExactly(AttributeValue.fromS("a"), AttributeValue.fromN("1"),
                AttributeValue.fromL(List.of()), AttributeValue.fromM(Map.of("deep", AttributeValue.fromBool(true))));
        assertThat(copy.map("map").string("s")).isEqualTo("x");
        assertThat(copy.map("map").map("inner").longValue("n")).isEqualTo(7);
        assertThat(copy.stringSet("ss")).containsExactly("a", "b");
        assertThat(copy.numberSet("ns")).containsExactly(new BigDecimal("1"), new BigDecimal("2.5"));
        assertThat(copy.asMap().get("bs").bs()).containsExactly(SdkBytes.fromByteArray(bytes));
    }

    @Test
    void parseGivesSdkRecords() {
        List<Record> records = StreamRecordJson.parse("""
                [{"eventID": "e1", "eventName": "REMOVE", "dynamodb": {%s, "SequenceNumber": 123,
                  "ApproximateCreationDateTime": 1700000000.25}},
                 {"eventName": "INSERT", "dynamodb": {"ApproximateCreationDateTime": "2024-05-01T10:15:30Z"}}]
                """.formatted(KEYS));
        assertThat(records).hasSize(2);
        assertThat(records.get(0).eventID()).isEqualTo("e1");
        assertThat(records.get(0).eventNameAsString()).isEqualTo("REMOVE");
        assertThat(records.get(0).dynamodb().keys()).containsEntry("PK", AttributeValue.fromS("NOTE#1"));
        assertThat(records.get(0).dynamodb().hasNewImage()).isFalse();
        assertThat(records.get(0).dynamodb().sequenceNumber()).isEqualTo("123");
        assertThat(records.get(0).dynamodb().approximateCreationDateTime()).isEqualTo(Instant.ofEpochSecond(1700000000, 250_000_000));
        assertThat(records.get(1).eventID()).as("a record without an id is named by its place").isEqualTo("$[1]");
        assertThat(records.get(1).dynamodb().approximateCreationDateTime()).isEqualTo(Instant.parse("2024-05-01T10:15:30Z"));
    }

    // --- malformed JSON: IllegalArgumentException naming the place ---

    @Test
    void invalidJsonSaysWhere() {
        assertThatThrownBy(() -> kit.applyJson("{\"eventName\": \"INSERT\",\n \"dynamodb\": {]}"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("stream record JSON is not valid JSON at line 2, column")
                .hasMessageNotContaining("\n");
        assertThatThrownBy(() -> kit.applyJson("   "))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("stream record JSON is empty");
        assertThatThrownBy(() -> kit.applyJson("\"INSERT\""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("stream record JSON must be a record object or an array of records, found the string \"INSERT\"");
        assertThatThrownBy(() -> kit.applyJson("{} {}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not valid JSON").hasMessageContaining("Trailing token");
        assertThatThrownBy(() -> kit.applyJson("{\"eventName\": \"INSERT\", \"eventName\": \"REMOVE\"}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Duplicate field 'eventName'");
        assertThat(projection.seen).isEmpty();
    }

    // --- records of the wrong shape: MalformedStreamRecordException naming the path ---

    @Test
    void anUnknownTypeKeyIsNamed() {
        assertThatThrownBy(() -> kit.applyJson("""
                {"eventName": "INSERT", "dynamodb": {%s, "NewImage": {"PK": {"S": "NOTE#1"}, "total": {"X": "1"}}}}
                """.formatted(KEYS)))
                .isInstanceOf(MalformedStreamRecordException.class)
                .hasMessage("stream record JSON at $.dynamodb.NewImage.total: 'X' is not a DynamoDB type: expected one of S, N, B, BOOL, NULL, L, M, SS, NS, BS");
    }

    @Test
    void aPlainValueInsteadOfDynamoDbJsonIsNamed() {
        assertThatThrownBy(() -> kit.applyJson("""
                [{"eventName": "INSERT", "dynamodb": {%s, "NewImage": %s}},
                 {"eventName": "INSERT", "dynamodb": {%s, "NewImage": {"PK": "NOTE#1"}}}]
                """.formatted(KEYS, image("ann", "x"), KEYS)))
                .isInstanceOf(MalformedStreamRecordException.class)
                .hasMessageStartingWith("stream record JSON at $[1].dynamodb.NewImage.PK: \"NOTE#1\" is not a DynamoDB attribute value: "
                        + "expected an object with exactly one of S, N, B, BOOL, NULL, L, M, SS, NS, BS");
        assertThat(projection.seen).as("nothing of a malformed array is applied").isEmpty();
    }

    @Test
    void wrongValueShapesAreNamed() {
        assertMalformed("{\"n\": {\"N\": 42}}", "$.dynamodb.NewImage.n.N: expected a number written as a string, such as \"42\", found the number 42");
        assertMalformed("{\"n\": {\"N\": \"forty\"}}", "$.dynamodb.NewImage.n.N: 'forty' is not a number");
        assertMalformed("{\"b\": {\"BOOL\": \"true\"}}", "$.dynamodb.NewImage.b.BOOL: expected true or false, found the string \"true\"");
        assertMalformed("{\"x\": {\"NULL\": false}}", "$.dynamodb.NewImage.x.NULL: expected true ({\"NULL\":true} is the only null value), found false");
        assertMalformed("{\"l\": {\"L\": [{\"S\": \"a\"}, {\"S\": 1}]}}", "$.dynamodb.NewImage.l.L[1].S: expected a string, found the number 1");
        assertMalformed("{\"m\": {\"M\": [1]}}", "$.dynamodb.NewImage.m.M: expected an object of attribute name to value, found an array [1]");
        assertMalformed("{\"ss\": {\"SS\": \"a\"}}", "$.dynamodb.NewImage.ss.SS: expected an array, found the string \"a\"");
        assertMalformed("{\"ns\": {\"NS\": [\"1\", \"x\"]}}", "$.dynamodb.NewImage.ns.NS[1]: 'x' is not a number");
        assertMalformed("{\"bin\": {\"B\": \"not base64!\"}}", "$.dynamodb.NewImage.bin.B: 'not base64!' is not base64");
        assertMalformed("{\"two\": {\"S\": \"a\", \"N\": \"1\"}}", "$.dynamodb.NewImage.two: {\"S\":\"a\",\"N\":\"1\"} is not a DynamoDB attribute value");
        assertMalformed("[]", "$.dynamodb.NewImage: expected an object of attribute name to value, found an array []");
    }

    private void assertMalformed(String newImage, String message) {
        assertThatThrownBy(() -> kit.applyJson("{\"eventName\": \"INSERT\", \"dynamodb\": {" + KEYS + ", \"NewImage\": " + newImage + "}}"))
                .isInstanceOf(MalformedStreamRecordException.class)
                .hasMessageStartingWith("stream record JSON at " + message);
    }

    @Test
    void wrongRecordFieldsAreNamed() {
        assertThatThrownBy(() -> kit.applyJson("[1]"))
                .isInstanceOf(MalformedStreamRecordException.class)
                .hasMessage("stream record JSON at $[0]: expected a stream record object, found the number 1");
        assertThatThrownBy(() -> kit.applyJson("{\"eventName\": \"INSERT\", \"dynamodb\": \"x\"}"))
                .isInstanceOf(MalformedStreamRecordException.class)
                .hasMessageStartingWith("stream record JSON at $.dynamodb: expected an object with Keys");
        assertThatThrownBy(() -> kit.applyJson("{\"eventName\": 1, \"dynamodb\": {}}"))
                .isInstanceOf(MalformedStreamRecordException.class)
                .hasMessage("stream record JSON at $.eventName: expected a string, found the number 1");
        assertThatThrownBy(() -> kit.applyJson("{\"eventName\": \"INSERT\", \"dynamodb\": {" + KEYS + ", \"ApproximateCreationDateTime\": \"yesterday\"}}"))
                .isInstanceOf(MalformedStreamRecordException.class)
                .hasMessageStartingWith("stream record JSON at $.dynamodb.ApproximateCreationDateTime: 'yesterday' is not an ISO-8601 instant");
        assertThatThrownBy(() -> kit.applyJson("{\"Records\": {}}"))
                .isInstanceOf(MalformedStreamRecordException.class)
                .hasMessage("stream record JSON at $.Records: expected an array of records, found an object {}");
    }

    // --- well-formed JSON, but a record the engine cannot decode: the engine's own messages ---

    @Test
    void recordsTheDecoderRefusesGetItsMessages() {
        assertThatThrownBy(() -> kit.applyJson("{\"eventName\": \"UPSERT\", \"dynamodb\": {" + KEYS + ", \"SequenceNumber\": \"7\"}}"))
                .isInstanceOf(MalformedStreamRecordException.class)
                .hasMessage("stream record 7 has event name 'UPSERT', expected INSERT, MODIFY or REMOVE");
        assertThatThrownBy(() -> kit.applyJson("[{\"eventName\": \"INSERT\"}]"))
                .isInstanceOf(MalformedStreamRecordException.class)
                .hasMessage("stream record $[0] has no 'dynamodb' body");
        assertThatThrownBy(() -> kit.applyJson("{\"eventName\": \"INSERT\", \"dynamodb\": {\"SequenceNumber\": \"8\"}}"))
                .isInstanceOf(MalformedStreamRecordException.class)
                .hasMessage("stream record 8 has no keys");
        assertThatThrownBy(() -> kit.applyJson("{\"eventID\": \"ev-9\", \"eventName\": \"INSERT\", \"dynamodb\": {" + KEYS + ", \"SequenceNumber\": \"12a\"}}"))
                .isInstanceOf(MalformedStreamRecordException.class)
                .hasMessage("stream record ev-9: not a stream sequence number (expected decimal digits): '12a'");
        assertThatThrownBy(() -> kit.applyJson("{\"eventName\": \"MODIFY\", \"dynamodb\": {" + KEYS + ", \"NewImage\": " + image("a", "b")
                + ", \"SequenceNumber\": \"10\"}}"))
                .isInstanceOf(MalformedStreamRecordException.class)
                .hasMessage("MODIFY event 10 has no old image: the stream must use NEW_AND_OLD_IMAGES (item NOTE#1 | NOTE)");
        assertThat(projection.seen).isEmpty();
    }
}
