package dev.xraybatch.agenttests.spark

import org.apache.spark.sql.SparkSession

/**
 * A Scala Spark job as users write them (Spark's SparkPi, with some driver-side work of its own before and after),
 * run through spark-submit. Its own phases are bounded by the clock, so that each lasts long enough to be sampled
 * however busy the machine is.
 */
object SparkPiJob {
  @volatile var sink: Long = 0L

  def main(args: Array[String]): Unit = {
    val slices = 4
    val seeds = drawSeeds(600)
    val spark = SparkSession.builder.appName("SparkPiJob").getOrCreate()
    val n = 100000 * slices
    val inside = spark.sparkContext.parallelize(1 until n, slices).map { i =>
      val random = new java.util.Random(seeds(i % seeds.length) + i)
      val x = random.nextDouble() * 2 - 1
      val y = random.nextDouble() * 2 - 1
      if (x * x + y * y <= 1) 1 else 0
    }.reduce(_ + _)
    val pi = 4.0 * inside / (n - 1)
    checkEstimate(pi, 500)
    spark.stop()
    println(s"SparkPiJob pi is roughly $pi $sink")
  }

  /** The job's own work before Spark starts: seeds drawn for as long as asked. */
  def drawSeeds(millis: Long): Array[Long] = {
    val until = System.nanoTime() + millis * 1000000L
    val seeds = scala.collection.mutable.ArrayBuffer[Long]()
    var i = 0L
    while (System.nanoTime() < until || seeds.size < 1000) {
      seeds += (i * 2654435761L) ^ (seeds.size.toLong << 7)
      i += 1
      if (seeds.size > 100000) seeds.clear()
    }
    seeds.toArray
  }

  /** The job's own work after the action: the estimate checked against pi again and again. */
  def checkEstimate(pi: Double, millis: Long): Unit = {
    val until = System.nanoTime() + millis * 1000000L
    while (System.nanoTime() < until) {
      sink += (1 to 1000).map(k => if (math.abs(pi - math.Pi) < 1.0 / k) 1 else 0).sum
    }
  }
}
