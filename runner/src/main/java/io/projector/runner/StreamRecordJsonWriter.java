package io.projector.runner;

import io.projector.ChangeEvent;
import io.projector.Item;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * A change as the DynamoDB stream record it came from, in the JSON of a {@code GetRecords} response
 * or a Lambda event: the shape the test kit's {@code StreamRecordJson} reads, so that what
 * {@code dlq show} prints can be pasted into {@code ProjectionTestKit.applyJson} as it is. Written
 * here rather than taken from the test kit, which the worker image does not carry.
 */
final class StreamRecordJsonWriter {

    private StreamRecordJsonWriter() {
    }

    static String write(ChangeEvent e) {
        String indent = "              ";
        StringBuilder out = new StringBuilder();
        out.append("{\"eventName\": ").append(string(e.type().name())).append(",\n");
        out.append(" \"dynamodb\": {\"Keys\": ").append(item(e.keys()));
        e.oldImage().ifPresent(i -> out.append(",\n").append(indent).append("\"OldImage\": ").append(item(i)));
        e.newImage().ifPresent(i -> out.append(",\n").append(indent).append("\"NewImage\": ").append(item(i)));
        out.append(",\n").append(indent).append("\"SequenceNumber\": ").append(string(e.sequenceNumber().value().toString()));
        out.append(",\n").append(indent).append("\"ApproximateCreationDateTime\": ").append(string(e.approximateCreationTime().toString()));
        return out.append("}}").toString();
    }

    private static String item(Item item) {
        return attributes(item.asMap());
    }

    private static String attributes(Map<String, AttributeValue> attributes) {
        StringJoiner out = new StringJoiner(", ", "{", "}");
        attributes.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(a -> out.add(string(a.getKey()) + ": " + value(a.getValue())));
        return out.toString();
    }

    private static String value(AttributeValue v) {
        return switch (v.type()) {
            case S -> typed("S", string(v.s()));
            case N -> typed("N", string(v.n()));
            case B -> typed("B", string(base64(v.b())));
            case BOOL -> typed("BOOL", v.bool().toString());
            case NUL -> typed("NULL", "true");
            case L -> typed("L", list(v.l().stream().map(StreamRecordJsonWriter::value).toList()));
            case M -> typed("M", attributes(v.m()));
            case SS -> typed("SS", list(v.ss().stream().map(StreamRecordJsonWriter::string).toList()));
            case NS -> typed("NS", list(v.ns().stream().map(StreamRecordJsonWriter::string).toList()));
            case BS -> typed("BS", list(v.bs().stream().map(b -> string(base64(b))).toList()));
            case UNKNOWN_TO_SDK_VERSION -> throw new IllegalArgumentException("attribute value of a type this SDK does not know: " + v);
        };
    }

    private static String typed(String type, String json) {
        return "{" + string(type) + ": " + json + "}";
    }

    private static String list(List<String> values) {
        return "[" + String.join(", ", values) + "]";
    }

    private static String base64(SdkBytes bytes) {
        return Base64.getEncoder().encodeToString(bytes.asByteArray());
    }

    static String string(String s) {
        StringBuilder out = new StringBuilder(s.length() + 2).append('"');
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
