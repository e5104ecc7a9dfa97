package io.projector.testkit;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.StreamRecord;

/**
 * Reads DynamoDB stream records written as JSON, in the shape of a DynamoDB Streams
 * {@code GetRecords} response or a Lambda event, into SDK {@link Record}s:
 *
 * <pre>{@code
 * {"eventName": "MODIFY",
 *  "dynamodb": {"Keys": {"PK": {"S": "ORDER#1"}, "SK": {"S": "ORDER"}},
 *               "OldImage": {..., "status": {"S": "PENDING"}},
 *               "NewImage": {..., "status": {"S": "PAID"}, "total": {"N": "30"}},
 *               "SequenceNumber": "4421584500000000017450439091",
 *               "ApproximateCreationDateTime": 1700000000}}
 * }</pre>
 *
 * <p>The input is one record, an array of records, or an object with a {@code Records} array (a
 * whole Lambda event or {@code GetRecords} response). Attribute values are in DynamoDB JSON:
 * {@code {"S":"x"}}, {@code {"N":"1"}}, {@code {"B":"<base64>"}}, {@code {"BOOL":true}},
 * {@code {"NULL":true}}, {@code {"L":[...]}}, {@code {"M":{...}}}, {@code {"SS":[...]}},
 * {@code {"NS":[...]}}, {@code {"BS":[...]}}. {@code ApproximateCreationDateTime} is in epoch
 * seconds (fractions allowed) or an ISO-8601 instant. Other fields ({@code eventID} aside, which is
 * kept) are ignored.
 *
 * <p>Only the JSON is checked here: what it says is checked by the engine's own decoder, which the
 * test kit runs on the records. Invalid JSON throws an {@link IllegalArgumentException}; a record
 * of the wrong shape a {@link MalformedStreamRecordException}, naming the place with a path such as
 * {@code $[1].dynamodb.NewImage.total}.
 */
public final class StreamRecordJson {

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    private static final String TYPES = "S, N, B, BOOL, NULL, L, M, SS, NS, BS";

    private StreamRecordJson() {
    }

    /**
     * The records in {@code json}, in order. A record without {@code eventID} gets its JSON path
     * (such as {@code $[2]}) as its id, so that the decoder's messages can name it.
     */
    public static List<Record> parse(String json) {
        if (json == null || json.isBlank()) {
            throw new IllegalArgumentException("stream record JSON is empty: expected a record object or an array of records");
        }
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            throw new IllegalArgumentException("stream record JSON is not valid JSON" + where + ": " + jacksonReason(e), e);
        }
        List<Record> out = new ArrayList<>();
        if (root.isArray()) {
            for (int i = 0; i < root.size(); i++) {
                out.add(record(root.get(i), "$[" + i + "]"));
            }
        } else if (root.isObject() && root.has("Records") && !root.has("dynamodb")) {
            JsonNode records = root.get("Records");
            if (!records.isArray()) {
                throw malformed("$.Records", "expected an array of records, found " + kind(records));
            }
            for (int i = 0; i < records.size(); i++) {
                out.add(record(records.get(i), "$.Records[" + i + "]"));
            }
        } else if (root.isObject()) {
            out.add(record(root, "$"));
        } else {
            throw new IllegalArgumentException("stream record JSON must be a record object or an array of records, found " + kind(root));
        }
        return out;
    }

    private static Record record(JsonNode node, String path) {
        if (!node.isObject()) {
            throw malformed(path, "expected a stream record object, found " + kind(node));
        }
        Record.Builder record = Record.builder();
        JsonNode eventId = node.get("eventID");
        record.eventID(eventId != null && eventId.isTextual() ? eventId.asText() : path);
        JsonNode eventName = node.get("eventName");
        if (eventName != null && !eventName.isNull()) {
            // The value itself (INSERT, MODIFY or REMOVE) is the decoder's to judge.
            record.eventName(text(eventName, path + ".eventName"));
        }
        JsonNode body = node.get("dynamodb");
        if (body != null && !body.isNull()) {
            record.dynamodb(streamRecord(body, path + ".dynamodb"));
        }
        return record.build();
    }

    private static StreamRecord streamRecord(JsonNode node, String path) {
        if (!node.isObject()) {
            throw malformed(path, "expected an object with Keys, NewImage, OldImage, SequenceNumber, found " + kind(node));
        }
        StreamRecord.Builder s = StreamRecord.builder();
        JsonNode keys = node.get("Keys");
        if (keys != null && !keys.isNull()) {
            s.keys(attributes(keys, path + ".Keys"));
        }
        JsonNode newImage = node.get("NewImage");
        if (newImage != null && !newImage.isNull()) {
            s.newImage(attributes(newImage, path + ".NewImage"));
        }
        JsonNode oldImage = node.get("OldImage");
        if (oldImage != null && !oldImage.isNull()) {
            s.oldImage(attributes(oldImage, path + ".OldImage"));
        }
        JsonNode seq = node.get("SequenceNumber");
        if (seq != null && !seq.isNull()) {
            if (seq.isIntegralNumber()) {
                s.sequenceNumber(seq.bigIntegerValue().toString());
            } else {
                // Its digits are the decoder's to judge.
                s.sequenceNumber(text(seq, path + ".SequenceNumber"));
            }
        }
        JsonNode created = node.get("ApproximateCreationDateTime");
        if (created != null && !created.isNull()) {
            s.approximateCreationDateTime(instant(created, path + ".ApproximateCreationDateTime"));
        }
        return s.build();
    }

    private static Instant instant(JsonNode node, String path) {
        if (node.isNumber()) {
            BigDecimal seconds = node.decimalValue();
            long whole = seconds.setScale(0, RoundingMode.FLOOR).longValueExact();
            long nanos = seconds.subtract(BigDecimal.valueOf(whole)).movePointRight(9).longValue();
            return Instant.ofEpochSecond(whole, nanos);
        }
        if (node.isTextual()) {
            try {
                return Instant.parse(node.asText());
            } catch (DateTimeParseException e) {
                throw malformed(path, "'" + node.asText() + "' is not an ISO-8601 instant such as 2024-05-01T10:15:30Z (or give epoch seconds)");
            }
        }
        throw malformed(path, "expected epoch seconds or an ISO-8601 instant, found " + kind(node));
    }

    private static Map<String, AttributeValue> attributes(JsonNode node, String path) {
        if (!node.isObject()) {
            throw malformed(path, "expected an object of attribute name to value, found " + kind(node));
        }
        Map<String, AttributeValue> out = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            out.put(field.getKey(), value(field.getValue(), path + "." + field.getKey()));
        }
        return out;
    }

    /** One attribute value in DynamoDB JSON: an object with exactly one type key. */
    private static AttributeValue value(JsonNode node, String path) {
        if (!node.isObject() || node.size() != 1) {
            throw malformed(path, compact(node) + " is not a DynamoDB attribute value: expected an object with exactly one of "
                    + TYPES + ", such as {\"S\":\"text\"} or {\"N\":\"42\"}");
        }
        Map.Entry<String, JsonNode> only = node.fields().next();
        String type = only.getKey();
        JsonNode v = only.getValue();
        String at = path + "." + type;
        switch (type) {
            case "S":
                return AttributeValue.fromS(text(v, at));
            case "N":
                return AttributeValue.fromN(number(v, at));
            case "B":
                return AttributeValue.fromB(binary(v, at));
            case "BOOL":
                if (!v.isBoolean()) {
                    throw malformed(at, "expected true or false, found " + kind(v));
                }
                return AttributeValue.fromBool(v.booleanValue());
            case "NULL":
                if (!v.isBoolean() || !v.booleanValue()) {
                    throw malformed(at, "expected true ({\"NULL\":true} is the only null value), found " + compact(v));
                }
                return AttributeValue.fromNul(true);
            case "L": {
                List<AttributeValue> list = new ArrayList<>();
                for (int i = 0; i < array(v, at).size(); i++) {
                    list.add(value(v.get(i), at + "[" + i + "]"));
                }
                return AttributeValue.fromL(list);
            }
            case "M":
                return AttributeValue.fromM(attributes(v, at));
            case "SS": {
                List<String> set = new ArrayList<>();
                for (int i = 0; i < array(v, at).size(); i++) {
                    set.add(text(v.get(i), at + "[" + i + "]"));
                }
                return AttributeValue.fromSs(set);
            }
            case "NS": {
                List<String> set = new ArrayList<>();
                for (int i = 0; i < array(v, at).size(); i++) {
                    set.add(number(v.get(i), at + "[" + i + "]"));
                }
                return AttributeValue.fromNs(set);
            }
            case "BS": {
                List<SdkBytes> set = new ArrayList<>();
                for (int i = 0; i < array(v, at).size(); i++) {
                    set.add(binary(v.get(i), at + "[" + i + "]"));
                }
                return AttributeValue.fromBs(set);
            }
            default:
                throw malformed(path, "'" + type + "' is not a DynamoDB type: expected one of " + TYPES);
        }
    }

    private static String text(JsonNode node, String path) {
        if (!node.isTextual()) {
            throw malformed(path, "expected a string, found " + kind(node));
        }
        return node.asText();
    }

    private static String number(JsonNode node, String path) {
        if (!node.isTextual()) {
            throw malformed(path, "expected a number written as a string, such as \"42\", found " + kind(node));
        }
        try {
            new BigDecimal(node.asText());
        } catch (NumberFormatException e) {
            throw malformed(path, "'" + node.asText() + "' is not a number");
        }
        return node.asText();
    }

    private static SdkBytes binary(JsonNode node, String path) {
        if (!node.isTextual()) {
            throw malformed(path, "expected base64 text, found " + kind(node));
        }
        try {
            return SdkBytes.fromByteArray(Base64.getDecoder().decode(node.asText()));
        } catch (IllegalArgumentException e) {
            throw malformed(path, "'" + node.asText() + "' is not base64: " + e.getMessage());
        }
    }

    private static JsonNode array(JsonNode node, String path) {
        if (!node.isArray()) {
            throw malformed(path, "expected an array, found " + kind(node));
        }
        return node;
    }

    private static MalformedStreamRecordException malformed(String path, String what) {
        return new MalformedStreamRecordException("stream record JSON at " + path + ": " + what, null);
    }

    private static String kind(JsonNode node) {
        if (node.isObject()) {
            return "an object " + compact(node);
        }
        if (node.isArray()) {
            return "an array " + compact(node);
        }
        if (node.isTextual()) {
            return "the string " + compact(node);
        }
        if (node.isNumber()) {
            return "the number " + compact(node);
        }
        if (node.isBoolean()) {
            return node.booleanValue() ? "true" : "false";
        }
        return "null";
    }

    private static String compact(JsonNode node) {
        String s = node.toString();
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }

    /** Jackson's reason without its notes on sources and features. */
    private static String jacksonReason(JsonProcessingException e) {
        return oneLine(e.getOriginalMessage())
                .replaceAll("\\[Source: [^;]*; ", "[")
                .replaceAll(" \\(bound as `[^`]*`\\)", "")
                .replaceAll(": not allowed as per `[^`]*`", "");
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s*\\R\\s*", " ").trim();
    }
}
