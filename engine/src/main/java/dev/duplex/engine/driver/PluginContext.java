package dev.duplex.engine.driver;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

/**
 * Runs every call into a plugin's object with the thread context class loader set to the
 * plugin's loader, as libraries inside plugins (JAXB, SOAP stacks, JNA) look classes up
 * through it. Objects a call returns that are SPI interfaces are wrapped the same way.
 */
final class PluginContext implements InvocationHandler {
    private final Object target;
    private final ClassLoader pluginLoader;

    private PluginContext(Object target, ClassLoader pluginLoader) {
        this.target = target;
        this.pluginLoader = pluginLoader;
    }

    @SuppressWarnings("unchecked")
    static <T> T wrap(Class<T> type, T target) {
        ClassLoader loader = target.getClass().getClassLoader();
        if (!(loader instanceof PluginClassLoader)) {
            return target;
        }
        return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, new PluginContext(target, loader));
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(pluginLoader);
        try {
            Object result = method.invoke(target, args);
            Class<?> returnType = method.getReturnType();
            if (result != null && returnType.isInterface() && returnType.getName().startsWith("dev.duplex.api.")) {
                return wrapReturned(returnType, result);
            }
            return result;
        } catch (InvocationTargetException e) {
            throw e.getCause();
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Object wrapReturned(Class type, Object result) {
        return wrap(type, result);
    }
}
