package dev.xraybatch.agent.instrument.hook.advice;

import dev.xraybatch.agent.bootstrap.HookBridge;
import dev.xraybatch.agent.instrument.hook.SiteId;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

/**
 * Exit passing the return value and what was thrown, then, on a normal return of a call the entry began, letting
 * the hook replace the value ({@code Hook.replace} with the entry's token as subject): an async call's future
 * handed back as one that completes only after the agent has ended the call.
 */
public final class ExitReturnReplaced {
    private ExitReturnReplaced() {
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    static void exit(@SiteId int site, @Advice.Enter Object token,
                     @Advice.Return(readOnly = false, typing = Assigner.Typing.DYNAMIC) Object returned,
                     @Advice.Thrown Throwable thrown) {
        HookBridge.exitWithReturn(site, token, returned, thrown);
        if (token != null && thrown == null) {
            returned = HookBridge.replace(site, returned, token);
        }
    }
}
