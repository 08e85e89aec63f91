package io.millrace.server.swf;

import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One entry of an application's {@code swfVerification.userAgentExceptions} (FMS's
 * {@code <UserAgentExceptions><Exception from="..." to="..."/>}): clients whose {@code flashVer} it covers
 * connect without SWF verification. Two forms:
 *
 * <ul>
 *   <li>a range, {@code "WIN 9,0,0,0 .. WIN 9,0,115,0"}: the same platform word on both ends (compared
 *       without regard to case), versions compared number by number (missing numbers count as 0), both ends
 *       included; a flashVer of another platform or that is not "PLATFORM a,b,c,d" is outside;</li>
 *   <li>anything else is a prefix: {@code "FMLE/"} covers every flashVer that starts with it (case matters).</li>
 * </ul>
 */
public final class UserAgentException {
    private static final Pattern VERSION = Pattern.compile("(\\S+)\\s+(\\d{1,9}(?:,\\d{1,9}){0,3})");
    private static final String RANGE = "..";

    private final String text;
    private final String prefix;
    private final String platform;
    private final int[] from;
    private final int[] to;

    private UserAgentException(String text, String prefix, String platform, int[] from, int[] to) {
        this.text = text;
        this.prefix = prefix;
        this.platform = platform;
        this.from = from;
        this.to = to;
    }

    /**
     * Parses one entry.
     *
     * @throws IllegalArgumentException with a message for the configuration error
     */
    public static UserAgentException parse(String entry) {
        Objects.requireNonNull(entry, "entry");
        String text = entry.trim();
        if (text.isEmpty()) {
            throw new IllegalArgumentException("an empty entry would exempt every client");
        }
        int dots = text.indexOf(RANGE);
        if (dots < 0) {
            return new UserAgentException(text, text, null, null, null);
        }
        Matcher a = VERSION.matcher(text.substring(0, dots).trim());
        Matcher b = VERSION.matcher(text.substring(dots + RANGE.length()).trim());
        if (!a.matches() || !b.matches()) {
            throw new IllegalArgumentException("'" + text + "': a range is \"PLATFORM a,b,c,d .. PLATFORM a,b,c,d\","
                    + " e.g. \"WIN 9,0,0,0 .. WIN 9,0,115,0\"");
        }
        if (!a.group(1).equalsIgnoreCase(b.group(1))) {
            throw new IllegalArgumentException("'" + text + "': both ends of a range name the same platform");
        }
        int[] from = numbers(a.group(2));
        int[] to = numbers(b.group(2));
        if (compare(from, to) > 0) {
            throw new IllegalArgumentException("'" + text + "': the range ends before it starts");
        }
        return new UserAgentException(text, null, a.group(1).toUpperCase(Locale.ROOT), from, to);
    }

    /** Whether a client with this flashVer is exempt. */
    public boolean covers(String flashVer) {
        if (flashVer == null) {
            return false;
        }
        if (prefix != null) {
            return flashVer.startsWith(prefix);
        }
        Matcher m = VERSION.matcher(flashVer.trim());
        if (!m.matches() || !m.group(1).equalsIgnoreCase(platform)) {
            return false;
        }
        int[] v = numbers(m.group(2));
        return compare(from, v) <= 0 && compare(v, to) <= 0;
    }

    private static int[] numbers(String csv) {
        return Arrays.stream(csv.split(",")).mapToInt(Integer::parseInt).toArray();
    }

    private static int compare(int[] a, int[] b) {
        for (int i = 0; i < 4; i++) {
            int x = i < a.length ? a[i] : 0;
            int y = i < b.length ? b[i] : 0;
            if (x != y) {
                return Integer.compare(x, y);
            }
        }
        return 0;
    }

    @Override
    public String toString() {
        return text;
    }
}
