package dev.xraybatch.samples.jsontoavro;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import org.apache.avro.Schema;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.xraybatch.samples.s3.S3Location;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Reads a JSON file (an array of flat objects, or one object per line) from S3 and writes it back as an Avro data
 * file whose schema is inferred from the records.
 */
public final class JsonToAvroConverter {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final S3Client s3;
    private final S3Location output;

    public JsonToAvroConverter(S3Client s3, S3Location output) {
        this.s3 = s3;
        this.output = output;
    }

    /** The keys of the {@code .json} objects under the input prefix. */
    public List<String> listJsonFiles(S3Location input) {
        List<String> keys = new ArrayList<>();
        for (S3Object object : s3.listObjectsV2Paginator(r -> r.bucket(input.bucket).prefix(input.prefix)).contents()) {
            if (object.key().endsWith(".json")) {
                keys.add(object.key());
            }
        }
        return keys;
    }

    /** Converts one file; the Avro file keeps the JSON file's name under the output prefix. */
    public Conversion convert(String bucket, String key) {
        List<JsonNode> records = parse(s3.getObjectAsBytes(r -> r.bucket(bucket).key(key)).asByteArray());
        Schema schema = AvroSchemas.infer(recordName(key), records);
        byte[] avro = write(schema, records);
        String target = output.prefix + fileName(key).replaceAll("\\.json$", ".avro");
        s3.putObject(r -> r.bucket(output.bucket).key(target).contentType("avro/binary"), RequestBody.fromBytes(avro));
        return new Conversion(key, "s3://" + output.bucket + "/" + target, records.size(), avro.length);
    }

    private static List<JsonNode> parse(byte[] json) {
        List<JsonNode> records = new ArrayList<>();
        try (MappingIterator<JsonNode> values = JSON.readerFor(JsonNode.class).readValues(json)) {
            while (values.hasNextValue()) {
                JsonNode value = values.nextValue();
                if (value.isArray()) {
                    value.forEach(records::add);
                } else {
                    records.add(value);
                }
            }
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            throw new IllegalArgumentException("not valid JSON (" + e.getOriginalMessage()
                    + (at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr()) + ")", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (JsonNode record : records) {
            if (!record.isObject()) {
                throw new IllegalArgumentException("expected JSON objects, found " + record.getNodeType());
            }
        }
        return records;
    }

    private static byte[] write(Schema schema, List<JsonNode> records) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataFileWriter<GenericRecord> writer = new DataFileWriter<>(new GenericDatumWriter<GenericRecord>(schema))) {
            writer.create(schema, bytes);
            for (JsonNode json : records) {
                GenericRecord record = new GenericData.Record(schema);
                Iterator<Map.Entry<String, JsonNode>> fields = json.fields();
                while (fields.hasNext()) {
                    Map.Entry<String, JsonNode> field = fields.next();
                    Schema.Field avroField = schema.getField(AvroSchemas.fieldName(field.getKey()));
                    record.put(avroField.pos(), AvroSchemas.value(avroField.schema(), field.getValue()));
                }
                writer.append(record);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static String fileName(String key) {
        return key.substring(key.lastIndexOf('/') + 1);
    }

    private static String recordName(String key) {
        return AvroSchemas.fieldName(fileName(key).replaceAll("\\.json$", ""));
    }
}
