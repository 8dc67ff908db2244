package dev.xraybatch.samples.sparkuuid;

import java.util.UUID;

import org.apache.spark.sql.api.java.UDF1;

/** The UDF, a class of its own (not a lambda) so that a pointcut can name it. */
public final class RandomUuid implements UDF1<Long, String> {
    private static final long serialVersionUID = 1L;

    @Override
    public String call(Long id) {
        return UUID.randomUUID().toString();
    }
}
