package dev.xraybatch.samples.jsontoavro;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * An Avro record schema for flat JSON objects: one optional field per JSON field, typed boolean, long, double or
 * string from the values seen (numbers that mix integers and decimals are doubles; anything else that disagrees,
 * and nested objects or arrays, are JSON text).
 */
final class AvroSchemas {
    private AvroSchemas() {
    }

    static Schema infer(String recordName, List<JsonNode> records) {
        Map<String, Schema.Type> types = new LinkedHashMap<>();
        for (JsonNode record : records) {
            Iterator<Map.Entry<String, JsonNode>> fields = record.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> field = fields.next();
                Schema.Type seen = typeOf(field.getValue());
                if (seen != Schema.Type.NULL) {
                    types.merge(fieldName(field.getKey()), seen, AvroSchemas::widen);
                } else {
                    types.putIfAbsent(fieldName(field.getKey()), Schema.Type.NULL);
                }
            }
        }
        SchemaBuilder.FieldAssembler<Schema> fields = SchemaBuilder.record(recordName).namespace("samples").fields();
        for (Map.Entry<String, Schema.Type> field : types.entrySet()) {
            Schema.Type type = field.getValue() == Schema.Type.NULL ? Schema.Type.STRING : field.getValue();
            fields = fields.name(field.getKey()).type(optional(type)).withDefault(null);
        }
        return fields.endRecord();
    }

    /** The Avro value of a JSON value for a field of schema {@code ["null", type]}. */
    static Object value(Schema optional, JsonNode json) {
        if (json.isNull()) {
            return null;
        }
        switch (optional.getTypes().get(1).getType()) {
            case BOOLEAN:
                return json.booleanValue();
            case LONG:
                return json.longValue();
            case DOUBLE:
                return json.doubleValue();
            default:
                return json.isTextual() ? json.textValue() : json.toString();
        }
    }

    /** Avro names are letters, digits and {@code _}, not starting with a digit. */
    static String fieldName(String name) {
        String cleaned = name.replaceAll("[^A-Za-z0-9_]", "_");
        return cleaned.isEmpty() || Character.isDigit(cleaned.charAt(0)) ? "_" + cleaned : cleaned;
    }

    private static Schema optional(Schema.Type type) {
        List<Schema> union = new ArrayList<>();
        union.add(Schema.create(Schema.Type.NULL));
        union.add(Schema.create(type));
        return Schema.createUnion(union);
    }

    private static Schema.Type typeOf(JsonNode value) {
        if (value.isNull()) {
            return Schema.Type.NULL;
        }
        if (value.isBoolean()) {
            return Schema.Type.BOOLEAN;
        }
        if (value.isIntegralNumber() && value.canConvertToLong()) {
            return Schema.Type.LONG;
        }
        if (value.isNumber()) {
            return Schema.Type.DOUBLE;
        }
        return Schema.Type.STRING;
    }

    private static Schema.Type widen(Schema.Type known, Schema.Type seen) {
        if (known == seen || known == Schema.Type.NULL) {
            return seen;
        }
        boolean numbers = (known == Schema.Type.LONG || known == Schema.Type.DOUBLE)
                && (seen == Schema.Type.LONG || seen == Schema.Type.DOUBLE);
        return numbers ? Schema.Type.DOUBLE : Schema.Type.STRING;
    }
}
