package dev.xraybatch.agent.instrument.methods;

import static org.assertj.core.api.Assertions.assertThat;

import dev.xraybatch.agent.config.AgentConfig;
import dev.xraybatch.agent.config.pointcut.Pointcut;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.description.modifier.Visibility;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.implementation.StubMethod;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The class matcher of a pointcut takes only classes it would actually change: a class whose name passes but that
 * declares no method the pointcut selects is left alone (else the agent rewrites it for nothing at start-up).
 */
class PointcutMatchersTest {
    @Retention(RetentionPolicy.RUNTIME)
    @interface Timed {
    }

    @TempDir
    Path dir;

    @Test
    void aClassWhoseNamePassesButNoMethodDoesIsNotMatched() throws Exception {
        Pointcut pointcut = pointcut("  - classes: acme.app.*", "    methods: 'load*'");

        assertThat(PointcutMatchers.types(pointcut).matches(type("acme.app.Loader", "loadAll", false))).isTrue();
        assertThat(PointcutMatchers.types(pointcut).matches(type("acme.app.Writer", "write", false))).isFalse();
    }

    @Test
    void aMethodAnnotationPointcutMatchesOnlyClassesWithAnAnnotatedMethod() throws Exception {
        Pointcut pointcut = pointcut("  - classes: acme.**", "    methods_annotated_with: " + Timed.class.getName());

        assertThat(PointcutMatchers.types(pointcut).matches(type("acme.app.Loader", "load", true))).isTrue();
        assertThat(PointcutMatchers.types(pointcut).matches(type("acme.app.Writer", "write", false))).isFalse();
    }

    private Pointcut pointcut(String... lines) throws Exception {
        Path yaml = dir.resolve("xray-batch.yaml");
        Files.write(yaml, ("pointcuts:\n" + String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8));
        AgentConfig config = AgentConfig.read("config=" + yaml, Collections.emptyMap(), new Properties());
        assertThat(config.problems()).isEmpty();
        List<Pointcut> pointcuts = config.pointcuts();
        assertThat(pointcuts).hasSize(1);
        return pointcuts.get(0);
    }

    /** A class (never loaded) named {@code name} that declares one public method, annotated or not. */
    private static TypeDescription type(String name, String method, boolean timed) {
        return new ByteBuddy().subclass(Object.class).name(name)
                .defineMethod(method, void.class, Visibility.PUBLIC).intercept(StubMethod.INSTANCE)
                .annotateMethod(timed
                        ? Collections.singletonList(net.bytebuddy.description.annotation.AnnotationDescription.Builder
                                .ofType(Timed.class).build())
                        : Collections.emptyList())
                .make().getTypeDescription();
    }
}
