package io.millrace.server.app;

import io.millrace.api.Client;
import io.millrace.api.Remote;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The methods of an application class that clients may call: its public {@link Remote} methods, by name.
 * Built once per class (load or reload); a class with two methods of one name is refused at load.
 */
final class RemoteMethods {
    /** Names the protocol and FMS reserve: a client call of these never reaches the application. */
    static final java.util.Set<String> RESERVED = java.util.Set.of("connect", "close", "createStream", "deleteStream",
            "closeStream", "play", "play2", "publish", "seek", "pause", "receiveAudio", "receiveVideo", "_result",
            "_error", "onStatus", "checkBandwidth", "_checkbw");

    private final Map<String, Method> byName;

    private RemoteMethods(Map<String, Method> byName) {
        this.byName = byName;
    }

    static RemoteMethods of(Class<?> appClass) {
        Map<String, Method> m = new HashMap<>();
        for (Method method : appClass.getMethods()) {
            Remote r = method.getAnnotation(Remote.class);
            if (r == null) {
                continue;
            }
            String name = r.value().isEmpty() ? method.getName() : r.value();
            if (RESERVED.contains(name)) {
                throw new IllegalArgumentException(appClass.getName() + "." + method.getName() + ": '" + name
                        + "' is a protocol command, not a name clients can call");
            }
            if (Modifier.isStatic(method.getModifiers())) {
                throw new IllegalArgumentException(appClass.getName() + "." + method.getName()
                        + ": a @Remote method must not be static");
            }
            for (int i = 0; i < method.getParameterCount(); i++) {
                Class<?> p = method.getParameterTypes()[i];
                if (!(i == 0 && p == Client.class) && !supported(p)) {
                    throw new IllegalArgumentException(appClass.getName() + "." + method.getName() + ": parameter "
                            + (i + 1) + " has type " + p.getSimpleName() + ", which a call cannot carry");
                }
            }
            if (m.put(name, method) != null) {
                throw new IllegalArgumentException(appClass.getName() + ": two @Remote methods named '" + name + "'");
            }
            method.setAccessible(true);
        }
        return new RemoteMethods(Map.copyOf(m));
    }

    java.util.Set<String> names() {
        return byName.keySet();
    }

    boolean has(String name) {
        return byName.containsKey(name);
    }

    private static boolean supported(Class<?> p) {
        return p == Object.class || p == String.class || p == double.class || p == Double.class || p == int.class
                || p == Integer.class || p == long.class || p == Long.class || p == boolean.class || p == Boolean.class
                || p == Map.class || p == List.class || p == Date.class || p == byte[].class || p == Number.class;
    }

    /** A call that could not be made: the description goes to the client. */
    static final class BadCall extends Exception {
        BadCall(String message) {
            super(message);
        }
    }

    /**
     * Invokes {@code name} with {@code args} (API values). Returns what it returned; an exception it threw comes
     * out as the InvocationTargetException's cause.
     */
    Object invoke(Object app, String name, Client caller, List<Object> args) throws BadCall, Throwable {
        Method method = byName.get(name);
        if (method == null) {
            throw new BadCall("Method not found (" + name + ").");
        }
        Class<?>[] types = method.getParameterTypes();
        Object[] values = new Object[types.length];
        int a = 0;
        for (int i = 0; i < types.length; i++) {
            if (i == 0 && types[0] == Client.class) {
                values[0] = caller;
                continue;
            }
            Object v = a < args.size() ? args.get(a) : null;
            a++;
            values[i] = convert(v, types[i], name, a); // a: the call's argument number, from 1
        }
        try {
            return method.invoke(app, values);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private static Object convert(Object v, Class<?> t, String method, int index) throws BadCall {
        if (v == null) {
            if (t.isPrimitive()) {
                throw new BadCall(method + ": argument " + index + " is missing (" + describeType(t) + " is needed).");
            }
            return null;
        }
        if (t == Object.class || t.isInstance(v) && t != Number.class) {
            return v;
        }
        if (v instanceof Double d) {
            if (t == double.class || t == Double.class || t == Number.class) {
                return d;
            }
            if ((t == int.class || t == Integer.class) && d == Math.rint(d) && d >= Integer.MIN_VALUE && d <= Integer.MAX_VALUE) {
                return d.intValue();
            }
            if ((t == long.class || t == Long.class) && d == Math.rint(d) && Math.abs(d) <= (1L << 53)) {
                return d.longValue();
            }
        }
        if (v instanceof Boolean b && t == boolean.class) {
            return b;
        }
        if (t == String.class && (v instanceof Double || v instanceof Boolean)) {
            return v instanceof Double d && d == Math.rint(d) && !Double.isInfinite(d)
                    ? Long.toString(d.longValue()) : v.toString();
        }
        throw new BadCall(method + ": argument " + index + " is " + describe(v) + ", not " + describeType(t) + ".");
    }

    private static String describe(Object v) {
        if (v instanceof Double d) {
            return "the number " + (d == Math.rint(d) && !Double.isInfinite(d) ? Long.toString(d.longValue()) : d.toString());
        }
        if (v instanceof String) {
            return "a string";
        }
        if (v instanceof Boolean) {
            return "a boolean";
        }
        if (v instanceof Map) {
            return "an object";
        }
        if (v instanceof List) {
            return "an array";
        }
        return "a " + v.getClass().getSimpleName();
    }

    private static String describeType(Class<?> t) {
        if (t == int.class || t == Integer.class || t == long.class || t == Long.class) {
            return "a whole number";
        }
        if (t == double.class || t == Double.class || t == Number.class) {
            return "a number";
        }
        if (t == boolean.class || t == Boolean.class) {
            return "a boolean";
        }
        if (t == Map.class) {
            return "an object";
        }
        if (t == List.class) {
            return "an array";
        }
        return "a " + t.getSimpleName();
    }
}
