package com.amazonaws.services.glue;

import java.io.File;

import org.apache.spark.api.java.JavaRDD;

/**
 * A stand-in for AWS Glue's {@code com.amazonaws.services.glue.DataSink}, whose library is not on Maven Central: same
 * class name and write method names, and, like Glue's sinks, a write that runs more than one Spark job. The agent
 * matches Glue's sinks by these names only, so the Spark ITs can check that one DynamicFrame write is one action.
 */
public abstract class DataSink {

    /** Glue's Scala entry point (it takes a DynamicFrame; an RDD of text lines stands in for it). */
    public JavaRDD<String> writeDynamicFrame(JavaRDD<String> frame) {
        long rows = frame.count(); // Glue counts and validates before it writes
        frame.saveAsTextFile(target().getAbsolutePath());
        System.out.println("stand-in sink wrote " + rows + " rows");
        return frame;
    }

    /** Where Glue's Python API enters: {@code glueContext.write_dynamic_frame.from_options(...)}. */
    public JavaRDD<String> pyWriteDynamicFrame(JavaRDD<String> frame, String callSite, String info) {
        return writeDynamicFrame(frame);
    }

    protected abstract File target();
}
