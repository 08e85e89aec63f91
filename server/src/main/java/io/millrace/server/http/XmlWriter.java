package io.millrace.server.http;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Writes a tree of maps, lists and scalars as XML the way the FMS Administration API's HTTP interface
 * did: a map is one element per entry (in the map's order), a list is one element per item named
 * {@code _0}, {@code _1}, ..., a null value is left out, numbers and booleans are written as text.
 *
 * <p>Text is escaped ({@code & < >}, and a carriage return as a character reference so it survives
 * parsing); characters XML 1.0 cannot carry at all (control characters, lone surrogates) are replaced
 * by U+FFFD, since a stream name chosen by a client may hold anything. Element names come from this
 * package, never from clients; a name that is not a plain XML name is a bug and throws.
 */
final class XmlWriter {

    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_.-]*");

    private XmlWriter() {
    }

    /** A whole document: the declaration and one root element holding {@code value}. */
    static String document(String root, Object value) {
        StringBuilder sb = new StringBuilder(256).append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        element(sb, root, value);
        return sb.append('\n').toString();
    }

    static void element(StringBuilder sb, String name, Object value) {
        if (value == null) {
            return;
        }
        if (!NAME.matcher(name).matches() || name.regionMatches(true, 0, "xml", 0, 3)) {
            throw new IllegalArgumentException("not an XML element name: " + name);
        }
        sb.append('<').append(name).append('>');
        if (value instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> e : map.entrySet()) {
                element(sb, String.valueOf(e.getKey()), e.getValue());
            }
        } else if (value instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                element(sb, "_" + i, list.get(i));
            }
        } else {
            escape(sb, String.valueOf(value));
        }
        sb.append("</").append(name).append('>');
    }

    static void escape(StringBuilder sb, String text) {
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            switch (cp) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '\r' -> sb.append("&#13;");
                default -> {
                    if (allowed(cp)) {
                        sb.appendCodePoint(cp);
                    } else {
                        sb.append('\uFFFD');
                    }
                }
            }
        }
    }

    /** XML 1.0's Char production. */
    private static boolean allowed(int cp) {
        return cp == 0x9 || cp == 0xA || cp == 0xD
                || (cp >= 0x20 && cp <= 0xD7FF)
                || (cp >= 0xE000 && cp <= 0xFFFD)
                || (cp >= 0x10000 && cp <= 0x10FFFF);
    }
}
