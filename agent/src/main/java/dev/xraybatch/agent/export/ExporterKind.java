package dev.xraybatch.agent.export;

import java.util.Locale;

/** Where documents go: the value of the {@code exporter} setting. */
public enum ExporterKind {
    /** X-Ray when the run has AWS (region, endpoint or an AWS compute environment), else a local JSON-lines file. */
    AUTO,
    /** PutTraceSegments through the AWS SDK. */
    XRAY,
    /** UDP datagrams to an X-Ray daemon or an OpenTelemetry collector's awsxray receiver. */
    UDP,
    /** One document per line in a local file. */
    FILE,
    /** Nothing is exported. */
    NONE;

    /** The setting's spelling: {@code auto}, {@code xray}, {@code udp}, {@code file}, {@code none}. */
    public String settingValue() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a setting value, case-insensitively; throws IllegalArgumentException naming the accepted values. */
    public static ExporterKind parse(String value) {
        String wanted = value == null ? "" : value.trim();
        for (ExporterKind kind : values()) {
            if (kind.settingValue().equalsIgnoreCase(wanted)) {
                return kind;
            }
        }
        throw new IllegalArgumentException("exporter '" + value + "' is not one of auto, xray, udp, file, none");
    }
}
