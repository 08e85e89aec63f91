package io.millrace.media.mp3;

/**
 * The descriptive fields of an MP3 file's ID3 tags (ID3v2 first, ID3v1 filling what v2 lacks); each is
 * null when absent or empty.
 *
 * @param title   TIT2 / TT2 / ID3v1 title
 * @param artist  TPE1 / TP1 / ID3v1 artist
 * @param album   TALB / TAL / ID3v1 album
 * @param year    TYER / TYE / the year of TDRC (the whole TDRC value when it does not start with 4 digits) / ID3v1 year
 * @param genre   TCON / TCO with ID3v1 genre numbers ("(17)", "17") resolved to names / ID3v1 genre
 * @param comment the first COMM / COM whose description is empty (else the first one not written by
 *                iTunes for its own use) / ID3v1 comment
 */
public record Id3Tags(String title, String artist, String album, String year, String genre, String comment) {
    public static final Id3Tags EMPTY = new Id3Tags(null, null, null, null, null, null);

    public Id3Tags {
        title = clean(title);
        artist = clean(artist);
        album = clean(album);
        year = clean(year);
        genre = clean(genre);
        comment = clean(comment);
    }

    /** These fields, with the null ones taken from {@code other}. */
    public Id3Tags orElse(Id3Tags other) {
        if (other == null) {
            return this;
        }
        return new Id3Tags(first(title, other.title), first(artist, other.artist), first(album, other.album),
                first(year, other.year), first(genre, other.genre), first(comment, other.comment));
    }

    public boolean isEmpty() {
        return title == null && artist == null && album == null && year == null && genre == null && comment == null;
    }

    private static String first(String a, String b) {
        return a != null ? a : b;
    }

    private static String clean(String s) {
        if (s == null) {
            return null;
        }
        int end = s.length();
        while (end > 0 && (s.charAt(end - 1) == '\0' || Character.isWhitespace(s.charAt(end - 1)))) {
            end--;
        }
        int begin = 0;
        while (begin < end && Character.isWhitespace(s.charAt(begin))) {
            begin++;
        }
        return begin == end ? null : s.substring(begin, end);
    }
}
