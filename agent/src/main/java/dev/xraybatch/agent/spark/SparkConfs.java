package dev.xraybatch.agent.spark;

import java.util.LinkedHashMap;
import java.util.Map;

/** Reads Spark's Scala objects by reflection: the agent compiles against no Spark. */
final class SparkConfs {
    private SparkConfs() {
    }

    /** {@code SparkConf.getAllWithPrefix}: the confs whose keys start with {@code prefix}, prefix removed. */
    static Map<String, String> withPrefix(Object sparkConf, String prefix) {
        Map<String, String> result = new LinkedHashMap<>();
        try {
            Object[] pairs = (Object[]) sparkConf.getClass().getMethod("getAllWithPrefix", String.class)
                    .invoke(sparkConf, prefix);
            for (Object pair : pairs) {
                // scala.Tuple2
                Object key = pair.getClass().getMethod("_1").invoke(pair);
                Object value = pair.getClass().getMethod("_2").invoke(pair);
                result.put(String.valueOf(key), value == null ? null : String.valueOf(value));
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("cannot read the SparkConf: " + e, e);
        }
        return result;
    }

    /** {@code SparkContext.startTime}: when the context's constructor began (epoch ms), or 0. */
    static long startTimeMillis(Object sparkContext) {
        try {
            Object value = sparkContext.getClass().getMethod("startTime").invoke(sparkContext);
            return value instanceof Number ? ((Number) value).longValue() : 0L;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return 0L;
        }
    }
}
