package dev.xraybatch.agent.instrument.jdbc;

import dev.xraybatch.agent.instrument.hook.Hook;
import dev.xraybatch.agent.instrument.hook.HookSite;

import java.sql.Statement;

/**
 * The code behind the JDBC advice: it turns what the shapes pass ({@code this}, the arguments, the return value)
 * into {@link JdbcRecorder} calls. The advice runs inside the driver's and the pool's classes; everything here is
 * reached through {@code HookBridge}.
 */
final class JdbcHooks {
    /** {@code Statement.execute*} and {@code executeBatch}: this and, for the text-taking forms, the arguments. */
    final Hook execution;
    /** {@code Connection.prepareStatement/prepareCall}: the text on entry, the statement it made on return. */
    final Hook preparation;
    /** A pool's {@code getConnection()}: the wait for a connection. */
    final Hook connectionWait;

    JdbcHooks(final JdbcRecorder recorder) {
        execution = new Hook() {
            @Override
            public Object enter(HookSite site, Object subject, Object[] arguments) {
                if (!(subject instanceof Statement)) {
                    return null;
                }
                String sql = arguments != null && arguments.length > 0 && arguments[0] instanceof String
                        ? (String) arguments[0] : null;
                return recorder.begin((Statement) subject, sql);
            }

            @Override
            public void exit(HookSite site, Object token, Object subject, Object returned, Throwable thrown) {
                recorder.end((JdbcCall) token, thrown);
            }

            @Override
            public String toString() {
                return "jdbc execution";
            }
        };
        preparation = new Hook() {
            @Override
            public Object enter(HookSite site, Object subject, Object[] arguments) {
                // The text itself is the token: the exit pairs it with the statement returned.
                return subject instanceof String ? subject : null;
            }

            @Override
            public void exit(HookSite site, Object token, Object subject, Object returned, Throwable thrown) {
                if (returned instanceof Statement) {
                    recorder.prepared((Statement) returned, (String) token);
                }
            }

            @Override
            public String toString() {
                return "jdbc preparation";
            }
        };
        connectionWait = new Hook() {
            @Override
            public Object enter(HookSite site, Object subject, Object[] arguments) {
                long requested = recorder.connectionRequested();
                return requested == 0L ? null : Long.valueOf(requested);
            }

            @Override
            public void exit(HookSite site, Object token, Object subject, Object returned, Throwable thrown) {
                recorder.connectionObtained((Long) token, subject, thrown);
            }

            @Override
            public String toString() {
                return "jdbc connection wait";
            }
        };
    }
}
