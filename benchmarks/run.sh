#!/usr/bin/env bash
# Builds the agent and the benchmarks into target-bench/ folders (so that a run never touches the jar that the
# ITs of the same checkout use), then prints every figure: start-up, per-call cost (JMH), exporter throughput.
#
#   benchmarks/run.sh                 # everything, default sizes (about 15 minutes on 2 cores)
#   ROUNDS=20 benchmarks/run.sh       # more start-up rounds
#   ONLY=startup|jmh|awssdk|export|pointcut|threads|spark|pyspark|gaps benchmarks/run.sh
#   TARGET_DIR=target-mine benchmarks/run.sh                       # build folders other than */target-bench
#   JMH_ARGS="-f 2 -i 10" benchmarks/run.sh
#   JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64 benchmarks/run.sh   # JVM for everything measured
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
out="${TARGET_DIR:-target-bench}"
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"

echo "== building agent and benchmarks into */$out (tests skipped)"
(cd "$root" && mvn -q -pl benchmarks -am -Dtarget.dir="$out" -Dmaven.test.skip=true -Prun-benchmarks package)

agent_jar="$root/agent/$out/xray-batch-agent.jar"
otel_jar="$here/$out/reference-agents/opentelemetry-javaagent.jar"
cp="$here/$out/classes:$(cat "$here/$out/benchmark.classpath")"

echo "== machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); $("$java" -version 2>&1 | head -1)"

if [[ -z "${ONLY:-}" || "${ONLY:-}" == startup ]]; then
  echo
  echo "== 1. start-up"
  "$java" -cp "$cp" dev.xraybatch.benchmarks.startup.StartupBenchmark "$agent_jar" "$otel_jar" \
    "${ROUNDS:-10}" "${WARMUP_ROUNDS:-2}"
fi

if [[ -z "${ONLY:-}" || "${ONLY:-}" == jmh ]]; then
  echo
  echo "== 2. per call (JMH; added cost = benchmark - baseline)"
  # shellcheck disable=SC2086
  "$java" -cp "$cp" org.openjdk.jmh.Main SubsegmentBenchmark -jvmArgs "-Xmx1g" ${JMH_ARGS:-}
fi

if [[ -z "${ONLY:-}" || "${ONLY:-}" == awssdk ]]; then
  echo
  echo "== 4. per AWS SDK v2 call (JMH forks with and without the agent, paired rounds)"
  # shellcheck disable=SC2086
  "$java" -cp "$cp" dev.xraybatch.benchmarks.awssdk.AwsSdkCallRunner "$agent_jar" "${AWS_ROUNDS:-5}" ${JMH_ARGS:-}
fi

if [[ -z "${ONLY:-}" || "${ONLY:-}" == export ]]; then
  echo
  echo "== 3. exporter throughput"
  "$java" -Xmx1g -cp "$cp" dev.xraybatch.benchmarks.export.ExporterThroughput "${SECONDS_MEASURED:-10}" "${SECONDS_WARMUP:-10}"
fi
if [[ -z "${ONLY:-}" || "${ONLY:-}" == pointcut ]]; then
  echo
  echo "== 5. pointcuts: per call (JMH forks with the agent and a pointcut file), start-up with 50 pointcuts"
  # shellcheck disable=SC2086
  "$java" -cp "$cp" dev.xraybatch.benchmarks.pointcut.PointcutCallRunner "$agent_jar" ${JMH_ARGS:-}
  # The class path of the Spark ITs (Spark 3.5 and its dependencies): the start-up runs load classes from it.
  spark_cp="$here/$out/spark.classpath"
  (cd "$root" && mvn -q -pl agent-tests dependency:build-classpath -Dmdep.outputFile="$spark_cp")
  "$java" -cp "$cp" dev.xraybatch.benchmarks.pointcut.PointcutStartupBenchmark "$agent_jar" "$spark_cp" \
    "${POINTCUT_ROUNDS:-10}" "${WARMUP_ROUNDS:-2}"
fi

if [[ -z "${ONLY:-}" || "${ONLY:-}" == threads ]]; then
  echo
  echo "== 5b. one hot traced method from 1, 16 and 64 threads (JMH forks with the agent)"
  # shellcheck disable=SC2086
  "$java" -cp "$cp" dev.xraybatch.benchmarks.pointcut.HotMethodThreadsRunner "$agent_jar" ${JMH_ARGS:-}
fi

if [[ -z "${ONLY:-}" || "${ONLY:-}" == spark ]]; then
  echo
  echo "== 6. a Spark job (local[2]) with and without the agent, the OpenTelemetry agent beside (paired rounds)"
  # The runner and the job's JVMs need Spark, which stays off benchmark.classpath.
  spark_job_cp="$here/$out/classes:$(cat "$here/$out/spark-job.classpath")"
  printf '%s' "$spark_job_cp" > "$here/$out/spark-job.run.classpath"
  "$java" -cp "$spark_job_cp" dev.xraybatch.benchmarks.spark.SparkJobBenchmark "$agent_jar" "$otel_jar" \
    "$here/$out/spark-job.run.classpath" "${SPARK_ROUNDS:-5}" "${SPARK_WARMUP_ROUNDS:-1}" "${SPARK_SET:-reference}" \
    "${SPARK_SHUFFLE_PARTITIONS:-4}"
fi

if [[ -z "${ONLY:-}" || "${ONLY:-}" == pyspark ]]; then
  echo
  echo "== 7. a PySpark job (spark-submit, local[2]) with and without the agent (paired rounds)"
  # Real PySpark 3.5.2: the SPARK_HOME the shared script builds once (or PYSPARK_HOME), as the PySpark ITs use.
  pyspark_home="${PYSPARK_HOME:-$("$root/../shared/pyspark-3.5.2/spark-home")}"
  "$java" -Dpyspark.home="$pyspark_home" -cp "$cp" dev.xraybatch.benchmarks.pyspark.PySparkJobBenchmark "$agent_jar" \
    "$here/src/main/python/uuid_sort_job.py" "$here/src/main/python/whole_tree.py" "${PYSPARK_ROUNDS:-5}" \
    "${PYSPARK_WARMUP_ROUNDS:-1}" "${PYSPARK_SET:-reference}" "${SPARK_SHUFFLE_PARTITIONS:-4}"
fi

if [[ -z "${ONLY:-}" || "${ONLY:-}" == gaps ]]; then
  echo
  echo "== 8. the main thread's gap sampler: a job outside subsegments for its whole run, sampler off vs on (paired rounds)"
  "$java" -cp "$cp" dev.xraybatch.benchmarks.gaps.GapSamplerBenchmark "$agent_jar" "${GAPS_ROUNDS:-6}" \
    "${GAPS_WARMUP_ROUNDS:-1}" "${GAPS_JOB_ROUNDS:-20}"
  echo "   the same job computing on a pool's thread while main waits for it (both stacks sampled)"
  "$java" -cp "$cp" dev.xraybatch.benchmarks.gaps.GapSamplerBenchmark "$agent_jar" "${GAPS_ROUNDS:-6}" \
    "${GAPS_WARMUP_ROUNDS:-1}" "${GAPS_JOB_ROUNDS:-20}" handoff
fi

echo
echo "== load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
