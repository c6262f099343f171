package dev.duplex.driver.tck;

import static java.util.Objects.requireNonNull;

import dev.duplex.api.EnvironmentStore;
import dev.duplex.api.HypervisorDriver;
import dev.duplex.api.ImageRef;
import dev.duplex.api.ObjectId;
import dev.duplex.api.ObjectKind;
import dev.duplex.api.PlatformException;
import dev.duplex.api.UnreachableException;
import dev.duplex.api.VmRef;
import dev.duplex.api.VolumeRef;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A driver that passes every call on to another driver and makes one chosen call fail: the
 * <i>n</i>-th call of one SPI operation, in one of the ways a real platform fails. Run a scenario
 * once without a fault to learn its {@linkplain #calls() calls}, then once per call with the fault
 * there, and check what the engine made of each.
 *
 * <p>The environment store a VM's driver hands out is wrapped too: its {@code read} and
 * {@code write} count as the operations {@code environment.read} and {@code environment.write}.
 * {@code kind}, {@code capabilities} and {@code close} are not operations on the platform and never fail.
 *
 * <p>Thread-safe: engines call drivers from more than one thread.
 */
public final class FaultInjectingDriver {
    /** How the chosen call fails. */
    public enum Fault {
        /** The platform refuses the call and does nothing: a non-retryable {@link PlatformException}. */
        REFUSED,
        /** The platform cannot be reached and nothing happens: a retryable {@link UnreachableException}. */
        UNREACHABLE,
        /**
         * The platform does the work but its answer never arrives: the caller sees a retryable
         * {@link UnreachableException} after the effect took place, as after a client-side timeout.
         */
        ANSWER_LOST
    }

    /** One call: the operation's name and which call of that operation it was (1 for the first). */
    public record Call(String operation, int ordinal) {
        public Call {
            requireNonNull(operation, "operation is null");
            if (ordinal < 1) {
                throw new IllegalArgumentException("ordinal starts at 1: " + ordinal);
            }
        }

        @Override
        public String toString() {
            return operation + "#" + ordinal;
        }
    }

    /** Where the fault goes and which fault it is. */
    public record Injection(Call call, Fault fault) {
        public Injection {
            requireNonNull(call, "call is null");
            requireNonNull(fault, "fault is null");
        }

        @Override
        public String toString() {
            return fault + " at " + call;
        }
    }

    private static final Set<String> NOT_OPERATIONS = Set.of("kind", "capabilities", "close", "toString", "hashCode", "equals");

    private final HypervisorDriver target;
    private final Optional<Injection> injection;
    private final HypervisorDriver driver;
    private final Map<String, Integer> counts = new HashMap<>();
    private final List<Call> calls = new ArrayList<>();
    private Optional<Call> injectedAt = Optional.empty();

    private FaultInjectingDriver(HypervisorDriver target, Optional<Injection> injection) {
        this.target = requireNonNull(target, "target is null");
        this.injection = requireNonNull(injection, "injection is null");
        this.driver = proxy(HypervisorDriver.class, target, "");
    }

    /** Records the calls to {@code target} and fails none: the run that learns a scenario's calls. */
    public static FaultInjectingDriver recording(HypervisorDriver target) {
        return new FaultInjectingDriver(target, Optional.empty());
    }

    /** Fails the call {@code injection} names, once, and passes every other call on. */
    public static FaultInjectingDriver failing(HypervisorDriver target, Injection injection) {
        return new FaultInjectingDriver(target, Optional.of(injection));
    }

    /** The driver to give the code under test. */
    public HypervisorDriver driver() {
        return driver;
    }

    /** The driver calls were passed to. */
    public HypervisorDriver target() {
        return target;
    }

    /** Every call made so far, in order, the failed one included. */
    public synchronized List<Call> calls() {
        return List.copyOf(calls);
    }

    /** The call that was made to fail, once it was made. */
    public synchronized Optional<Call> injectedAt() {
        return injectedAt;
    }

    private <T> T proxy(Class<T> type, T delegate, String prefix) {
        InvocationHandler handler = (self, method, args) -> invoke(delegate, prefix, method, args);
        return type.cast(Proxy.newProxyInstance(FaultInjectingDriver.class.getClassLoader(), new Class<?>[] {type}, handler));
    }

    private Object invoke(Object delegate, String prefix, Method method, Object[] args) throws Throwable {
        if (method.getDeclaringClass() == Object.class || NOT_OPERATIONS.contains(method.getName())) {
            return call(delegate, method, args);
        }
        Optional<Fault> fault = record(prefix + method.getName());
        if (fault.isPresent() && fault.get() != Fault.ANSWER_LOST) {
            throw exception(fault.get(), prefix + method.getName(), args);
        }
        Object result = call(delegate, method, args);
        if (fault.isPresent()) {
            throw exception(fault.get(), prefix + method.getName(), args);
        }
        if (result instanceof EnvironmentStore store && prefix.isEmpty()) {
            return proxy(EnvironmentStore.class, store, "environment.");
        }
        return result;
    }

    private synchronized Optional<Fault> record(String operation) {
        int ordinal = counts.merge(operation, 1, Integer::sum);
        Call call = new Call(operation, ordinal);
        calls.add(call);
        if (injection.isPresent() && injection.get().call().equals(call)) {
            injectedAt = Optional.of(call);
            return Optional.of(injection.get().fault());
        }
        return Optional.empty();
    }

    private static Object call(Object delegate, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(delegate, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private static RuntimeException exception(Fault fault, String operation, Object[] args) {
        ObjectId object = subject(args);
        return switch (fault) {
            case REFUSED -> new PlatformException("injected fault: " + operation + " refused by the platform", object);
            case UNREACHABLE -> new UnreachableException("injected fault: platform unreachable during " + operation, object);
            case ANSWER_LOST -> new UnreachableException("injected fault: no answer to " + operation + " (it may have taken effect)", object);
        };
    }

    private static ObjectId subject(Object[] args) {
        if (args != null) {
            for (Object arg : args) {
                if (arg instanceof VmRef vm) {
                    return ObjectId.of(vm);
                }
                if (arg instanceof VolumeRef volume) {
                    return ObjectId.of(volume);
                }
                if (arg instanceof ImageRef image) {
                    return ObjectId.of(image);
                }
            }
        }
        return new ObjectId(ObjectKind.ENDPOINT, "platform");
    }
}
