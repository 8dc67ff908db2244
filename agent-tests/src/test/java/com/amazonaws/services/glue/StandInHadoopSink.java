package com.amazonaws.services.glue;

import java.io.File;

/** A concrete sink, as Glue's {@code getSinkWithFormat} returns one: the agent matches subclasses of DataSink. */
public final class StandInHadoopSink extends DataSink {
    private final File target;

    public StandInHadoopSink(File target) {
        this.target = target;
    }

    @Override
    protected File target() {
        return target;
    }
}
