package io.llmproxy.edge.usage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Reads a usage journal's segment files the way recovery does, for tests: a segment's records end at
 * the first zero header or the file's end; the zeros after them are preallocation ({@link JournalSegment}).
 */
public final class JournalFiles {

    private JournalFiles() {
    }

    /** @return the end (bytes) of the records in {@code segment}: where its preallocated zeros start */
    public static long recordsEnd(Path segment) throws IOException {
        ByteBuffer all = ByteBuffer.wrap(Files.readAllBytes(segment));
        long pos = 0;
        while (pos + JournalSegment.HEADER_BYTES <= all.limit()) {
            int length = all.getInt((int) pos);
            if (length <= 0 || pos + JournalSegment.HEADER_BYTES + length > all.limit()) {
                break;
            }
            pos += JournalSegment.HEADER_BYTES + length;
        }
        return pos;
    }

    /** @return the bytes of records (headers included) in every segment file of {@code dir} */
    public static long recordBytes(Path dir) throws IOException {
        long sum = 0;
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".seg")).toList()) {
                sum += recordsEnd(f);
            }
        }
        return sum;
    }
}
