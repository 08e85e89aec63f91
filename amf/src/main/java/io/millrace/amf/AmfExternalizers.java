package io.millrace.amf;

import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Registry of AMF3 externalizable classes (object header U29O-traits-ext, e.g. {@code 0A 07}).
 *
 * <p>An externalizable object's bytes are defined by its class alone, so a reader that meets a class
 * not registered here cannot continue: {@link Amf3Reader} throws
 * {@code AmfException("unknown externalizable class <name>: cannot parse further ...")}.
 *
 * <p>Built in: {@value #ARRAY_COLLECTION} and {@value #OBJECT_PROXY}. Both serialize one AMF3 value
 * (the source array, resp. the proxied object) and are read as an {@link AmfObject} whose
 * {@link AmfObject#className()} is the Flex class name and whose only property {@value #SOURCE} is that
 * value. {@link Amf3Writer} writes an {@link AmfObject} with such a class name back in the
 * externalizable form (byte-exact round trip). The AMF0 writer never sees them as externalizable:
 * AMF0 has no such form, so there they are plain typed objects.
 *
 * <p>The registry is global and thread safe. An object being read by a {@link Reader} is entered in
 * the AMF3 object table only after the reader returns (a reference to it from inside its own data
 * reads as null).
 */
public final class AmfExternalizers {

    /** Reads the class-defined data of one externalizable object, typically via {@link Amf3Reader#read()}. */
    @FunctionalInterface
    public interface Reader {
        Object read(String className, Amf3Reader in);
    }

    /** Writes the class-defined data of one externalizable object, typically via {@link Amf3Writer#write(Object)}. */
    @FunctionalInterface
    public interface Writer {
        void write(AmfObject value, Amf3Writer out);
    }

    public static final String ARRAY_COLLECTION = "flex.messaging.io.ArrayCollection";
    public static final String OBJECT_PROXY = "flex.messaging.io.ObjectProxy";
    /** Property holding the single wrapped value of the built-in externalizables. */
    public static final String SOURCE = "source";

    private static final ConcurrentMap<String, Reader> READERS = new ConcurrentHashMap<>();
    private static final ConcurrentMap<String, Writer> WRITERS = new ConcurrentHashMap<>();

    static {
        register(ARRAY_COLLECTION, AmfExternalizers::readSource, AmfExternalizers::writeSource);
        register(OBJECT_PROXY, AmfExternalizers::readSource, AmfExternalizers::writeSource);
    }

    private AmfExternalizers() {
    }

    /**
     * Registers (or replaces) a class. {@code writer} may be null: objects of that class are then
     * written as ordinary sealed typed objects.
     */
    public static void register(String className, Reader reader, Writer writer) {
        Objects.requireNonNull(className, "className");
        READERS.put(className, Objects.requireNonNull(reader, "reader"));
        if (writer != null) {
            WRITERS.put(className, writer);
        } else {
            WRITERS.remove(className);
        }
    }

    /** Removes a class (including a built-in one). */
    public static void unregister(String className) {
        READERS.remove(className);
        WRITERS.remove(className);
    }

    /** The reader for a class, or null when it is unknown. */
    public static Reader reader(String className) {
        return className == null ? null : READERS.get(className);
    }

    /** The writer for a class, or null when objects of that class are not written as externalizable. */
    public static Writer writer(String className) {
        return className == null ? null : WRITERS.get(className);
    }

    private static Object readSource(String className, Amf3Reader in) {
        AmfObject o = new AmfObject(className, false);
        o.put(SOURCE, in.read());
        return o;
    }

    private static void writeSource(AmfObject value, Amf3Writer out) {
        out.write(value.get(SOURCE));
    }
}
