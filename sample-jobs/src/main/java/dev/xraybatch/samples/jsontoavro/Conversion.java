package dev.xraybatch.samples.jsontoavro;

/** What converting one file produced; the pointcut file reads its getters into annotations. */
public final class Conversion {
    private final String source;
    private final String target;
    private final int records;
    private final int avroBytes;

    Conversion(String source, String target, int records, int avroBytes) {
        this.source = source;
        this.target = target;
        this.records = records;
        this.avroBytes = avroBytes;
    }

    public String getSource() {
        return source;
    }

    public String getTarget() {
        return target;
    }

    public int getRecords() {
        return records;
    }

    public int getAvroBytes() {
        return avroBytes;
    }

    @Override
    public String toString() {
        return source + " -> " + target + ": " + records + " records, " + avroBytes + " bytes";
    }
}
