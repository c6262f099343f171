package dev.duplex.engine.driver;

import dev.duplex.api.ImageRef;
import dev.duplex.api.VmRef;
import dev.duplex.api.VolumeRef;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * At DEBUG, every call Duplex makes into a driver, with the objects it names and how long it took,
 * so a log shows what the platform was asked and when. Arguments other than references (specs
 * carrying VM properties such as role tokens) are shown by their type only: secrets stay out.
 */
final class DriverCalls implements InvocationHandler {
    private static final Logger log = LoggerFactory.getLogger(DriverCalls.class);

    private final Object target;
    private final String endpoint;

    private DriverCalls(Object target, String endpoint) {
        this.target = target;
        this.endpoint = endpoint;
    }

    /** The driver itself unless DEBUG is on for this logger when it connects. */
    @SuppressWarnings("unchecked")
    static <T> T logged(Class<T> type, T target, String endpoint) {
        if (!log.isDebugEnabled()) {
            return target;
        }
        return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, new DriverCalls(target, endpoint));
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        if (method.getDeclaringClass() == Object.class) {
            return method.invoke(target, args);
        }
        String call = method.getName() + "(" + String.join(", ", shown(args)) + ")";
        long start = System.nanoTime();
        try {
            Object result = method.invoke(target, args);
            log.debug("driver call on endpoint {}: {} took {} ms", endpoint, call, (System.nanoTime() - start) / 1_000_000);
            return result;
        } catch (InvocationTargetException e) {
            log.debug("driver call on endpoint {}: {} failed after {} ms: {}", endpoint, call, (System.nanoTime() - start) / 1_000_000,
                    e.getCause().getClass().getSimpleName());
            throw e.getCause();
        }
    }

    private static List<String> shown(Object[] args) {
        List<String> shown = new ArrayList<>();
        if (args != null) {
            for (Object arg : args) {
                shown.add(arg instanceof VmRef || arg instanceof VolumeRef || arg instanceof ImageRef || arg instanceof Enum<?>
                        ? String.valueOf(arg) : arg == null ? "null" : arg.getClass().getSimpleName());
            }
        }
        return shown;
    }
}
