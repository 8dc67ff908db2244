package dev.xraybatch.agent.trace;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

class ForeignExceptionTest {
    @Test
    void framesAreReadFromTheRightSoPathsMayHoldColons() {
        List<ForeignException.Frame> frames = ForeignException.parseFrames(
                "/jobs/etl.py:12:load\nC:\\\\jobs\\\\etl.py:3:<module>\n/opt/agent.jar/xray_batch/x.py:9:f\nnot a frame\n");
        assertThat(frames).hasSize(4);
        assertThat(frames.get(0).path).isEqualTo("/jobs/etl.py");
        assertThat(frames.get(0).line).isEqualTo(12);
        assertThat(frames.get(0).label).isEqualTo("load");
        assertThat(frames.get(1).path).isEqualTo("C:\\\\jobs\\\\etl.py");
        assertThat(frames.get(3).label).isEqualTo("not a frame");
    }

    @Test
    void aCauseShowsThePythonTypeAndFramesAsTheyAre() {
        ForeignException e = new ForeignException("ValueError", "bad record 7",
                ForeignException.parseFrames("/jobs/etl.py:12:load"), new IllegalStateException("java side"));
        CauseRecord record = CauseRecord.of(e, false, new CauseRecord.ExceptionIds());
        assertThat(record.exceptions).hasSize(2);
        assertThat(record.exceptions.get(0).get("type")).isEqualTo("ValueError");
        assertThat(record.exceptions.get(0).get("message")).isEqualTo("bad record 7");
        assertThat(record.exceptions.get(0).get("stack").toString()).contains("path=/jobs/etl.py", "line=12",
                "label=load");
        assertThat(record.exceptions.get(0).get("cause")).isEqualTo(record.exceptions.get(1).get("id"));
        assertThat(record.exceptions.get(1).get("type")).isEqualTo(IllegalStateException.class.getName());
    }
}
