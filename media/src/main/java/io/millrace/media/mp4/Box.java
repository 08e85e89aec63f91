package io.millrace.media.mp4;

/**
 * One ISO BMFF box inside an in-memory buffer (a moov or moof box read whole): its type and where its
 * header, body and end lie in that buffer, plus its offset in the file for error messages.
 *
 * @param type       the four-character code as a big-endian int
 * @param start      index of the first header byte in the buffer
 * @param body       index of the first body byte (after the 8- or 16-byte header)
 * @param end        index just past the box
 * @param fileOffset position of the box in the file
 */
record Box(int type, int start, int body, int end, long fileOffset) {

    int bodySize() {
        return end - body;
    }

    String name() {
        return Boxes.name(type);
    }

    @Override
    public String toString() {
        return "'" + name() + "' box at offset " + fileOffset;
    }
}
