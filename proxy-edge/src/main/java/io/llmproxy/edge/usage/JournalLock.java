package io.llmproxy.edge.usage;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** The OS file lock on a {@link UsageJournal}'s {@code lock} file, held while the journal is open: one edge per directory. */
final class JournalLock implements AutoCloseable {

    private final FileChannel channel;
    private final FileLock lock;

    private JournalLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * @param dir the journal's directory (it exists)
     * @throws IllegalStateException when another process (or another open journal) holds it
     * @throws IOException           when the lock file cannot be opened
     */
    static JournalLock acquire(Path dir) throws IOException {
        FileChannel channel = FileChannel.open(dir.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            channel.close();
            throw new IllegalStateException("usage buffer directory " + dir.toAbsolutePath()
                    + " is in use by another edge process; give each edge its own llmproxy.edge.usage-buffer-dir");
        }
        return new JournalLock(channel, lock);
    }

    @Override
    public void close() throws IOException {
        lock.release();
        channel.close();
    }
}
