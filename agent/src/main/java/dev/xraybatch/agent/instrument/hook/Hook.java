package dev.xraybatch.agent.instrument.hook;

/**
 * What one instrumented method does in the agent: the code behind a site, reached from its advice through
 * {@code bootstrap/HookBridge} and {@link HookSites} (one array read). Each method has a no-op default: a hook
 * implements what its advice shapes call. Exceptions are caught by the bridge; returning null from
 * {@link #enter} means "nothing to end" (the exit is then skipped).
 */
public interface Hook {
    /**
     * On entry. {@code subject} is what the site's enter shape passes ({@code this}, argument 0 or 1, or null);
     * {@code arguments} is null unless the shape passes them all ({@code EnterArgumentsReplaced} runs the method
     * with what the hook leaves in the array).
     *
     * @return the token its exit gets, or null
     */
    default Object enter(HookSite site, Object subject, Object[] arguments) {
        return null;
    }

    /** On exit, normal or by exception; {@code subject} and {@code returned} are null unless the shape reads them. */
    default void exit(HookSite site, Object token, Object subject, Object returned, Throwable thrown) {
    }

    /**
     * A value the method returns, replaced: return {@code value} to leave it, or the value to use instead
     * (of a type the method can return). {@code subject} is what the shape passes: the instrumented method's
     * declaring class ({@code ReturnReplaced}) or the token {@link #enter} returned ({@code ExitReturnReplaced}).
     */
    default Object replace(HookSite site, Object value, Object subject) {
        return value;
    }

    /** What a hook made by {@link #of} does on entry. */
    interface Enter {
        Object enter(Object subject);
    }

    /** What a hook made by {@link #of} does on exit: {@code subject} as the exit shape passes it. */
    interface Exit {
        void exit(Object token, Object subject, Throwable thrown);
    }

    /**
     * A hook from two functions, for routing a site straight to the code that handles it
     * ({@code actions::sqlExecutionEnter}); {@code name} is what debug lines call it. Either may be null.
     */
    static Hook of(final String name, final Enter enter, final Exit exit) {
        return new Hook() {
            @Override
            public Object enter(HookSite site, Object subject, Object[] arguments) {
                return enter == null ? null : enter.enter(subject);
            }

            @Override
            public void exit(HookSite site, Object token, Object subject, Object returned, Throwable thrown) {
                if (exit != null) {
                    exit.exit(token, subject, thrown);
                }
            }

            @Override
            public String toString() {
                return name;
            }
        };
    }
}
