package dev.xraybatch.agenttests.spark;

import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.sql.SparkSession;
import scala.Tuple2;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A Java Spark job as users write them (Spark's JavaWordCount, with some driver-side work of its own before and
 * after), run through spark-submit. Its own phases are bounded by the clock, so that each lasts long enough to be
 * sampled however busy the machine is.
 */
public final class WordCountJob {
    static volatile long sink;

    public static void main(String[] args) throws Exception {
        Path input = Paths.get(args[0]);
        prepareInput(input, 600);
        SparkSession spark = SparkSession.builder().appName("WordCountJob").getOrCreate();
        JavaPairRDD<String, Integer> counts = spark.read().textFile(input.toString()).javaRDD()
                .flatMap(line -> Arrays.asList(line.split(" ")).iterator())
                .mapToPair(word -> new Tuple2<>(word, 1))
                .reduceByKey(Integer::sum);
        List<Tuple2<String, Integer>> output = counts.collect();
        rankWords(output, 500);
        spark.stop();
        System.out.println("WordCountJob counted " + output.size() + " words " + sink);
    }

    static void prepareInput(Path input, long millis) throws IOException {
        List<String> lines = new ArrayList<>();
        long until = System.nanoTime() + millis * 1_000_000L;
        for (int i = 0; System.nanoTime() < until || i < 1000; i++) {
            lines.add("word" + (i % 97) + " other" + (i % 13) + " " + Long.toHexString(i * 2654435761L));
        }
        Files.write(input, lines, StandardCharsets.UTF_8);
    }

    static void rankWords(List<Tuple2<String, Integer>> counts, long millis) {
        long until = System.nanoTime() + millis * 1_000_000L;
        while (System.nanoTime() < until) {
            List<Tuple2<String, Integer>> sorted = new ArrayList<>(counts);
            sorted.sort((a, b) -> Integer.compare(b._2(), a._2()));
            sink += sorted.size();
        }
    }
}
