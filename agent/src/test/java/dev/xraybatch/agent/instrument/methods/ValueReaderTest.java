package dev.xraybatch.agent.instrument.methods;

import static org.assertj.core.api.Assertions.assertThat;

import dev.xraybatch.agent.config.pointcut.ValuePath;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ValueReaderTest {
    public static final class Order {
        private final String id;
        private final List<String> lines;
        private boolean paid = true;
        private final Customer customer = new Customer();

        Order(String id, List<String> lines) {
            this.id = id;
            this.lines = lines;
        }

        public String getId() {
            return "order-" + id;
        }

        public boolean isPaid() {
            return paid;
        }

        public String getBroken() {
            throw new IllegalStateException("no");
        }
    }

    static final class Customer {
        private final String name = "ada";
    }

    record Point(int x, int y) {
    }

    private static Object read(String path, Object... args) {
        return ValueReader.read(ValuePath.parse(path), null, args, null);
    }

    @Test
    void gettersFieldsRecordsAndSizes() {
        Order order = new Order("7", Arrays.asList("a", "b"));

        assertThat(read("arg0.id", order)).isEqualTo("order-7");
        assertThat(read("arg0.paid", order)).isEqualTo(true);
        assertThat(read("arg0.customer.name", order)).isEqualTo("ada");
        assertThat(read("arg0.lines.size", order)).isEqualTo(2);
        assertThat(read("arg0.length", "hello")).isEqualTo(5);
        assertThat(read("arg0.length", (Object) new int[3])).isEqualTo(3);
        assertThat(read("arg0.y", new Point(1, 2))).isEqualTo(2);
        assertThat(ValueReader.read(ValuePath.parse("return.size"), null, null, Map.of("k", 1))).isEqualTo(1);
        assertThat(ValueReader.read(ValuePath.parse("this.id"), order, null, null)).isEqualTo("order-7");
    }

    @Test
    void missingValuesAndFailingGettersNeverThrow() {
        Order order = new Order("7", null);

        assertThat(read("arg0.lines.size", order)).isNull();
        assertThat(read("arg0.nothing", order)).isNull();
        assertThat(read("arg3", order)).isNull();
        assertThat(read("arg0.broken", order)).isEqualTo("<broken threw java.lang.IllegalStateException>");
    }

    @Test
    void textIsShortAndSafe() {
        List<Object> cyclic = new ArrayList<>();
        cyclic.add("x");
        cyclic.add(cyclic);
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("a", 1);
        map.put("b", Arrays.asList(1, 2));
        Object throwing = new Object() {
            @Override
            public String toString() {
                throw new UnsupportedOperationException();
            }
        };

        assertThat(ValueReader.text(null)).isEqualTo("null");
        assertThat(ValueReader.text(cyclic)).isEqualTo("[x, (cycle)]");
        assertThat(ValueReader.text(map)).isEqualTo("{a=1, b=[1, 2]}");
        assertThat(ValueReader.text(new int[] {1, 2, 3})).isEqualTo("[1, 2, 3]");
        assertThat(ValueReader.text(java.util.stream.IntStream.range(0, 25).boxed().toArray()))
                .isEqualTo("[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, ... 15 more]");
        assertThat(ValueReader.text("y".repeat(1000))).hasSize(ValueReader.MAX_TEXT).endsWith("...");
        assertThat(ValueReader.text(throwing)).startsWith("<").endsWith(".toString threw java.lang.UnsupportedOperationException>");
        assertThat(ValueReader.annotationValue(42L)).isEqualTo(42L);
        assertThat(ValueReader.annotationValue(Thread.State.NEW)).isEqualTo("NEW");
    }
}
