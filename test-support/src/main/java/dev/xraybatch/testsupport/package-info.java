/**
 * Test support for every module of xray-batch-agent (test scope only, never shipped).
 * <ul>
 *   <li>{@link dev.xraybatch.testsupport.LocalXRayEndpoint}: a local PutTraceSegments endpoint that verifies SigV4,
 *       checks documents as X-Ray would and against the published schema, keeps what it accepted
 *       ({@link dev.xraybatch.testsupport.Trace} trees, {@link dev.xraybatch.testsupport.Violation}s,
 *       {@link dev.xraybatch.testsupport.Call}s) and injects faults ({@link dev.xraybatch.testsupport.Fault},
 *       rejected documents, stalls, refused connections). It also answers BatchGetTraces and GetTraceSummaries, and,
 *       switched on with {@code builder().traceQuota(true)}, applies X-Ray's per-trace data quota
 *       ({@link dev.xraybatch.testsupport.TraceQuota}) on a clock tests can move
 *       ({@link dev.xraybatch.testsupport.SimulatedClock}).</li>
 *   <li>{@link dev.xraybatch.testsupport.ChildJvm}: starts a traced child JVM with {@code -javaagent} and a clean
 *       AWS environment pointed at the endpoint.</li>
 *   <li>{@link dev.xraybatch.testsupport.MotoServer}: moto_server as the tests' S3, DynamoDB and SQS, the one
 *       {@code MOTO_ENDPOINT} names or one started here.</li>
 *   <li>{@link dev.xraybatch.testsupport.PySpark}: real PySpark jobs run as users run them ({@code spark-submit
 *       job.py}, {@code python3 job.py}) from the SPARK_HOME the shared {@code spark-home} script builds, and
 *       {@link dev.xraybatch.testsupport.PySparkTraces}: the rules every PySpark driver's trace keeps.</li>
 * </ul>
 * The rules the endpoint applies come from {@code shared/reference/xray-protocol.md}; the schema file is found
 * through the system property {@code schema.file}, else as {@code shared/reference/} in the working directory or a
 * parent of it.
 */
package dev.xraybatch.testsupport;
