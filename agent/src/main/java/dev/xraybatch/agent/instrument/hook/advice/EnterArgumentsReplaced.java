package dev.xraybatch.agent.instrument.hook.advice;

import dev.xraybatch.agent.bootstrap.HookBridge;
import dev.xraybatch.agent.instrument.hook.SiteId;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

/**
 * Entry passing {@code this} and a copy of the arguments that the hook may change in place: the method then runs
 * with the copy's values (a request with the trace header in place of an immutable one, a callback wrapped). The
 * hook must put back a value of each parameter's type; one of another type leaves all arguments as they were.
 */
public final class EnterArgumentsReplaced {
    private EnterArgumentsReplaced() {
    }

    @Advice.OnMethodEnter(suppress = Throwable.class)
    static Object enter(@SiteId int site, @Advice.This(optional = true) Object self,
                        @Advice.AllArguments(readOnly = false, typing = Assigner.Typing.DYNAMIC) Object[] arguments) {
        Object[] replaced = arguments.clone();
        Object token = HookBridge.enterWithArguments(site, self, replaced);
        arguments = replaced;
        return token;
    }
}
