package dev.xraybatch.testsupport;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import static dev.xraybatch.testsupport.Documents.newId;
import static dev.xraybatch.testsupport.Documents.newTraceId;
import static dev.xraybatch.testsupport.Documents.segment;
import static org.assertj.core.api.Assertions.assertThat;

/** The same checks without HTTP, for unit tests that render documents. */
class DocumentCheckTest {

    @Test
    void aValidDocumentHasNoProblems() {
        assertThat(DocumentCheck.problems(segment(newTraceId(), newId(), "job"))).isEmpty();
    }

    @Test
    void reportsProtocolSizeAndSchemaProblems() {
        ObjectNode document = segment(newTraceId(), newId(), "job (1)").put("fault", "yes");
        document.putObject("metadata").putObject("job").put("blob", "x".repeat(64 * 1024));

        assertThat(DocumentCheck.problems(document))
                .anySatisfy(p -> assertThat(p).contains("over the 64 kB limit"))
                .anySatisfy(p -> assertThat(p).contains("holds characters other than"))
                .anySatisfy(p -> assertThat(p).contains("fault").contains("boolean"));
    }
}
