package dev.xraybatch.agent.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.junit.jupiter.api.Test;

class SparkConfsTest {

    @Test
    void readsThePairsSparkConfReturnsForAPrefix() {
        FakeSparkConf conf = new FakeSparkConf(new Pair("config", "s3://b/x.yaml"), new Pair("debug", "true"));

        Map<String, String> confs = SparkConfs.withPrefix(conf, "spark.xraybatch.");

        assertThat(conf.askedPrefix).isEqualTo("spark.xraybatch.");
        assertThat(confs).containsExactly(Map.entry("config", "s3://b/x.yaml"), Map.entry("debug", "true"));
    }

    @Test
    void anObjectThatIsNoSparkConfIsReported() {
        assertThatThrownBy(() -> SparkConfs.withPrefix("not a conf", "spark.xraybatch."))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("SparkConf");
    }

    @Test
    void startTimeIsReadOrZero() {
        assertThat(SparkConfs.startTimeMillis(new FakeSparkContext())).isEqualTo(1_700_000_000_000L);
        assertThat(SparkConfs.startTimeMillis("no context")).isZero();
    }

    /** Shaped like Spark's: {@code getAllWithPrefix} returns {@code scala.Tuple2[]}. */
    public static final class FakeSparkConf {
        private final Pair[] pairs;
        String askedPrefix;

        FakeSparkConf(Pair... pairs) {
            this.pairs = pairs;
        }

        public Object[] getAllWithPrefix(String prefix) {
            askedPrefix = prefix;
            return pairs;
        }
    }

    public static final class Pair {
        private final String key;
        private final String value;

        Pair(String key, String value) {
            this.key = key;
            this.value = value;
        }

        public Object _1() {
            return key;
        }

        public Object _2() {
            return value;
        }
    }

    public static final class FakeSparkContext {
        public long startTime() {
            return 1_700_000_000_000L;
        }
    }
}
